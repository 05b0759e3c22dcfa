// Test helpers for decoders: a recording DrawTarget, test images, a shared zlib stream, and feeding data in every split.

/// <reference types="node" />
import zlib from 'node:zlib';
import { expect } from 'vitest';
import type { Decoder } from '../../src/decoders/decoder';
import type { DirectPixels, DrawTarget } from '../../src/display/draw-target';
import { ByteQueue } from '../../src/rfb/byte-queue';

/** An image as RGB triples, rows packed. */
export interface Img {
  w: number;
  h: number;
  rgb: Uint8Array;
}

export interface DrawnImage {
  x: number;
  y: number;
  w: number;
  h: number;
  data: Uint8Array;
  mime: string;
}

/** The colour a FakeTarget starts with, so that pixels no decoder wrote show up. */
export const UNTOUCHED: [number, number, number] = [0x12, 0x34, 0x56];

/** A DrawTarget that keeps RGBA pixels in a plain array and records drawImage calls. */
export class FakeTarget implements DrawTarget {
  readonly rgba: Uint8Array;
  readonly images: DrawnImage[] = [];
  calls = 0;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      this.rgba.set([...UNTOUCHED, 255], i * 4);
    }
  }

  private check(x: number, y: number, w: number, h: number): void {
    if (x < 0 || y < 0 || w < 0 || h < 0 || x + w > this.width || y + h > this.height) {
      throw new Error(`FakeTarget: draw ${w}x${h} at (${x}, ${y}) outside the framebuffer`);
    }
  }

  fillRect(x: number, y: number, w: number, h: number, r: number, g: number, b: number): void {
    this.check(x, y, w, h);
    this.calls++;
    for (let j = y; j < y + h; j++) {
      for (let i = x; i < x + w; i++) this.rgba.set([r, g, b, 255], (j * this.width + i) * 4);
    }
  }

  copyRect(srcX: number, srcY: number, x: number, y: number, w: number, h: number): void {
    this.check(srcX, srcY, w, h);
    this.check(x, y, w, h);
    this.calls++;
    const src = this.rgba.slice();
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const s = ((srcY + j) * this.width + srcX + i) * 4;
        this.rgba.set(src.subarray(s, s + 4), ((y + j) * this.width + x + i) * 4);
      }
    }
  }

  blitRgbx(x: number, y: number, w: number, h: number, pixels: Uint8Array, offset = 0): void {
    this.check(x, y, w, h);
    this.calls++;
    if (offset + w * h * 4 > pixels.length) throw new Error('FakeTarget: blit past its buffer');
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const s = offset + (j * w + i) * 4;
        const d = ((y + j) * this.width + x + i) * 4;
        this.rgba[d] = pixels[s];
        this.rgba[d + 1] = pixels[s + 1];
        this.rgba[d + 2] = pixels[s + 2];
        this.rgba[d + 3] = 255;
      }
    }
  }

  drawImage(x: number, y: number, w: number, h: number, data: Uint8Array, mime: string): void {
    this.check(x, y, w, h);
    this.calls++;
    this.images.push({ x, y, w, h, data: data.slice(), mime });
  }
}

/**
 * A FakeTarget that also lends its pixels (DrawTarget.directPixels) while `lend` is true, and
 * checks that every direct write is committed with the same rectangle before the next call.
 */
export class DirectFakeTarget extends FakeTarget {
  lend = true;
  blits = 0;
  commits = 0;
  private open: string | null = null;
  private readonly words: Uint32Array;

  constructor(width: number, height: number) {
    super(width, height);
    this.words = new Uint32Array(this.rgba.buffer, this.rgba.byteOffset, width * height);
  }

  directPixels(x: number, y: number, w: number, h: number): DirectPixels | null {
    this.expectClosed();
    if (x < 0 || y < 0 || w < 0 || h < 0 || x + w > this.width || y + h > this.height) {
      throw new Error(`DirectFakeTarget: ${w}x${h} at (${x}, ${y}) outside the framebuffer`);
    }
    if (!this.lend) return null;
    this.open = `${x},${y} ${w}x${h}`;
    return { pixels: this.words, offset: y * this.width + x, stride: this.width };
  }

  commitDirect(x: number, y: number, w: number, h: number): void {
    expect(`${x},${y} ${w}x${h}`, 'commitDirect rectangle').toBe(this.open);
    this.open = null;
    this.commits++;
  }

  override blitRgbx(x: number, y: number, w: number, h: number, p: Uint8Array, o = 0): void {
    this.expectClosed();
    this.blits++;
    super.blitRgbx(x, y, w, h, p, o);
  }

  override fillRect(x: number, y: number, w: number, h: number, r: number, g: number, b: number) {
    this.expectClosed();
    super.fillRect(x, y, w, h, r, g, b);
  }

  private expectClosed(): void {
    expect(this.open, 'a direct write left uncommitted').toBe(null);
  }
}

/** The framebuffer a session should leave: UNTOUCHED, then images painted in order. */
export class Model {
  readonly rgba: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rgba = new FakeTarget(width, height).rgba;
  }

  put(x: number, y: number, img: Img): void {
    for (let j = 0; j < img.h; j++) {
      for (let i = 0; i < img.w; i++) {
        const s = (j * img.w + i) * 3;
        this.rgba.set(
          [img.rgb[s], img.rgb[s + 1], img.rgb[s + 2], 255],
          ((y + j) * this.width + x + i) * 4,
        );
      }
    }
  }
}

/** Asserts exact pixels, reporting the first difference readably. */
export function expectPixels(actual: Uint8Array, expected: Uint8Array, width: number): void {
  if (actual.length !== expected.length) throw new Error('pixel arrays differ in size');
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      const p = i >> 2;
      const at = `(${p % width}, ${Math.floor(p / width)})`;
      const got = Array.from(actual.subarray(p * 4, p * 4 + 4));
      const want = Array.from(expected.subarray(p * 4, p * 4 + 4));
      expect(got, `pixel at ${at}`).toEqual(want);
    }
  }
}

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pixelAt(img: Img, x: number, y: number): number {
  const i = (y * img.w + x) * 3;
  return (img.rgb[i] << 16) | (img.rgb[i + 1] << 8) | img.rgb[i + 2];
}

export function makeImage(w: number, h: number, f: (x: number, y: number) => number): Img {
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = f(x, y);
      rgb.set([(c >> 16) & 255, (c >> 8) & 255, c & 255], (y * w + x) * 3);
    }
  }
  return { w, h, rgb };
}

export function noiseImage(w: number, h: number, seed: number): Img {
  const r = rng(seed);
  return makeImage(w, h, () => Math.floor(r() * 0x1000000));
}

/** Pixels from `colours` random colours, in runs, as text and UI look. */
export function paletteImage(w: number, h: number, colours: number, seed: number): Img {
  const r = rng(seed);
  const pal = Array.from({ length: colours }, (_, i) => (Math.floor(r() * 0x1000000) & ~0xff) | i);
  let c = pal[0];
  return makeImage(w, h, () => {
    if (r() < 0.3) c = pal[Math.floor(r() * colours)];
    return c;
  });
}

/** Exactly `n` colours, cycled with a run here and there. */
export function cycleImage(w: number, h: number, n: number, seed: number): Img {
  const r = rng(seed);
  const pal = Array.from({ length: n }, (_, i) => (Math.floor(r() * 0x1000000) & ~0xff) | i);
  return makeImage(w, h, (x, y) => pal[Math.floor((y * w + x) / (1 + (x % 3))) % n]);
}

export function solidImage(w: number, h: number, c: number): Img {
  return makeImage(w, h, () => c);
}

export function gradientImage(w: number, h: number, seed: number): Img {
  const r = rng(seed);
  return makeImage(w, h, (x, y) => {
    const red = (x * 7 + y * 3) & 255;
    const green = (x * 2 + y * 5 + (r() < 0.1 ? 9 : 0)) & 255;
    const blue = (255 - x - y) & 255;
    return (red << 16) | (green << 8) | blue;
  });
}

/** The image's pixels as PIXELs on the wire: R, G, B, X with X set to `x`. */
export function rgbx(img: Img, x = 0): Uint8Array {
  const out = new Uint8Array(img.w * img.h * 4);
  for (let i = 0; i < img.w * img.h; i++) {
    out.set([img.rgb[i * 3], img.rgb[i * 3 + 1], img.rgb[i * 3 + 2], x], i * 4);
  }
  return out;
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

export function u16(v: number): number[] {
  return [(v >> 8) & 255, v & 255];
}

export function u32(v: number): number[] {
  return [(v >>> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/**
 * One zlib stream shared by successive rectangles, as a server keeps per
 * connection: each chunk() ends with a sync flush.
 */
export class DeflateStream {
  private deflate = zlib.createDeflate({ level: 6 });
  private out: Buffer[] = [];

  constructor() {
    this.listen();
  }

  private listen(): void {
    this.deflate.on('data', (d: Buffer) => this.out.push(d));
  }

  async chunk(data: Uint8Array): Promise<Uint8Array> {
    this.out = [];
    this.deflate.write(data);
    await new Promise<void>((resolve) =>
      this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve()),
    );
    return new Uint8Array(Buffer.concat(this.out));
  }

  /** Starts a new stream (what a Tight reset bit tells the client). */
  reset(): void {
    this.deflate.close();
    this.deflate = zlib.createDeflate({ level: 6 });
    this.listen();
  }
}

export interface RectSpec {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Chunk sizes for feeding n bytes: whole, one byte at a time, fixed sizes, every two-piece split, random. */
export function splits(n: number, maxTwoPiece = 400): number[][] {
  const out: number[][] = [[n], new Array<number>(n).fill(1)];
  for (const size of [2, 3, 5, 7, 13, 64, 1000]) {
    if (size >= n) continue;
    const sizes: number[] = [];
    for (let left = n; left > 0; left -= size) sizes.push(Math.min(size, left));
    out.push(sizes);
  }
  const step = Math.max(1, Math.ceil((n - 1) / maxTwoPiece));
  for (let k = 1; k < n; k += step) out.push([k, n - k]);
  const r = rng(n);
  for (let t = 0; t < 5; t++) {
    const sizes: number[] = [];
    for (let left = n; left > 0;) {
      const s = Math.min(left, 1 + Math.floor(r() * 40));
      sizes.push(s);
      left -= s;
    }
    out.push(sizes);
  }
  return out;
}

/**
 * Feeds `data` in chunks of the given sizes, decoding the rectangles in order
 * as far as the bytes so far allow; asserts that all finish exactly at the
 * end of the data.
 */
export function feed(
  decoder: Decoder,
  target: DrawTarget,
  rects: RectSpec[],
  data: Uint8Array,
  sizes: number[],
): void {
  const q = new ByteQueue();
  let r = 0;
  let off = 0;
  const pump = (): void => {
    while (r < rects.length) {
      const { x, y, w, h } = rects[r];
      if (!decoder.decodeRect(x, y, w, h, q, target)) return;
      r++;
    }
  };
  pump(); // with no bytes at all
  for (const size of sizes) {
    q.push(data.subarray(off, off + size));
    off += size;
    pump();
  }
  expect(off).toBe(data.length);
  expect(r, 'rectangles finished').toBe(rects.length);
  expect(q.length, 'bytes left over').toBe(0);
}

/**
 * Decodes the session in every split with a fresh decoder and target each
 * time, asserting the exact framebuffer. Returns how many splits ran.
 */
export function expectDecodesInEverySplit(
  makeDecoder: () => Decoder,
  fb: { width: number; height: number },
  rects: RectSpec[],
  data: Uint8Array,
  expected: Uint8Array,
  maxTwoPiece?: number,
): number {
  const all = splits(data.length, maxTwoPiece);
  for (const sizes of all) {
    const target = new FakeTarget(fb.width, fb.height);
    feed(makeDecoder(), target, rects, data, sizes);
    expectPixels(target.rgba, expected, fb.width);
  }
  return all.length;
}

/** Feeds all of `data` and returns what decodeRect threw (failing if nothing was thrown). */
export function decodeError(
  decoder: Decoder,
  target: DrawTarget,
  rects: RectSpec[],
  data: Uint8Array,
): Error {
  try {
    feed(decoder, target, rects, data, [data.length]);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the decoder to throw');
}
