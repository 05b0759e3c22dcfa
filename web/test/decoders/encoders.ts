// Small RFB encoders for tests: turn a known image into RRE, Hextile, ZRLE and Tight rectangle data.

import { DeflateStream, concat, pixelAt, rgbx, u16, u32 } from './helpers';
import type { Img } from './helpers';

function pixelBytes(c: number, x = 0): number[] {
  return [(c >> 16) & 255, (c >> 8) & 255, c & 255, x];
}

function cpixel(c: number): number[] {
  return [(c >> 16) & 255, (c >> 8) & 255, c & 255];
}

function crop(img: Img, x: number, y: number, w: number, h: number): Img {
  const rgb = new Uint8Array(w * h * 3);
  for (let j = 0; j < h; j++) {
    rgb.set(img.rgb.subarray(((y + j) * img.w + x) * 3, ((y + j) * img.w + x + w) * 3), j * w * 3);
  }
  return { w, h, rgb };
}

/** Colours of an image, most frequent first. */
function colours(img: Img): number[] {
  const counts = new Map<number, number>();
  for (let y = 0; y < img.h; y++) {
    for (let x = 0; x < img.w; x++) {
      const c = pixelAt(img, x, y);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map((e) => e[0]);
}

/** Runs of one colour other than bg, one row high: [x, y, w, colour]. */
function runs(img: Img, bg: number): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  for (let y = 0; y < img.h; y++) {
    for (let x = 0; x < img.w;) {
      const c = pixelAt(img, x, y);
      let e = x + 1;
      while (e < img.w && pixelAt(img, e, y) === c) e++;
      if (c !== bg) out.push([x, y, e - x, c]);
      x = e;
    }
  }
  return out;
}

export function encodeRRE(img: Img): Uint8Array {
  const bg = colours(img)[0];
  const subs = runs(img, bg);
  const parts: number[] = [...u32(subs.length), ...pixelBytes(bg, 0x99)];
  for (const [x, y, w, c] of subs) {
    parts.push(...pixelBytes(c), ...u16(x), ...u16(y), ...u16(w), ...u16(1));
  }
  return Uint8Array.from(parts);
}

export type HextileMode = 'auto' | 'raw';

/**
 * Hextile with background and foreground carried over between tiles when
 * unchanged; `mode(tileIndex)` can force raw tiles.
 */
export function encodeHextile(
  img: Img,
  mode: (tile: number) => HextileMode = () => 'auto',
): Uint8Array {
  const parts: (number[] | Uint8Array)[] = [];
  let lastBg: number | null = null;
  let lastFg: number | null = null;
  let tile = 0;
  for (let ty = 0; ty < img.h; ty += 16) {
    for (let tx = 0; tx < img.w; tx += 16, tile++) {
      const t = crop(img, tx, ty, Math.min(16, img.w - tx), Math.min(16, img.h - ty));
      const cs = colours(t);
      const bg = cs[0];
      const subs = runs(t, bg);
      const coloured = cs.length > 2;
      if (mode(tile) === 'raw' || subs.length > 255) {
        parts.push([1], rgbx(t, 0x77));
        continue;
      }
      let sub = 0;
      const body: number[] = [];
      if (bg !== lastBg) {
        sub |= 2;
        body.push(...pixelBytes(bg));
        lastBg = bg;
      }
      if (subs.length > 0 && !coloured && cs[1] !== lastFg) {
        sub |= 4;
        body.push(...pixelBytes(cs[1]));
        lastFg = cs[1];
      }
      if (subs.length > 0) {
        sub |= 8;
        if (coloured) sub |= 16;
        body.push(subs.length);
        for (const [x, y, w, c] of subs) {
          if (coloured) body.push(...pixelBytes(c));
          body.push((x << 4) | y, ((w - 1) << 4) | 0);
        }
      }
      parts.push([sub], body);
    }
  }
  return concat(...parts);
}

function runLength(n: number): number[] {
  const out: number[] = [];
  let left = n - 1;
  while (left >= 255) {
    out.push(255);
    left -= 255;
  }
  out.push(left);
  return out;
}

export type ZrleMode = 'raw' | 'solid' | 'packed' | 'plainRle' | 'paletteRle';

/** The uncompressed ZRLE tile data of an image; `mode(tileIndex)` picks each tile's subencoding, where it fits. */
export function zrleTiles(img: Img, mode: (tile: number) => ZrleMode): Uint8Array {
  const parts: number[] = [];
  let tile = 0;
  for (let ty = 0; ty < img.h; ty += 64) {
    for (let tx = 0; tx < img.w; tx += 64, tile++) {
      const t = crop(img, tx, ty, Math.min(64, img.w - tx), Math.min(64, img.h - ty));
      const cs = colours(t);
      let m = mode(tile);
      if (m === 'solid' && cs.length > 1) m = 'raw';
      if (m === 'packed' && (cs.length > 16 || cs.length < 2)) m = 'raw';
      if (m === 'paletteRle' && (cs.length > 127 || cs.length < 2)) m = 'plainRle';
      const n = t.w * t.h;
      const px = (i: number): number => pixelAt(t, i % t.w, Math.floor(i / t.w));
      if (m === 'raw') {
        parts.push(0);
        for (let i = 0; i < n; i++) parts.push(...cpixel(px(i)));
      } else if (m === 'solid') {
        parts.push(1, ...cpixel(cs[0]));
      } else if (m === 'packed') {
        parts.push(cs.length);
        for (const c of cs) parts.push(...cpixel(c));
        const bits = cs.length === 2 ? 1 : cs.length <= 4 ? 2 : 4;
        for (let y = 0; y < t.h; y++) {
          let byte = 0;
          let used = 0;
          for (let x = 0; x < t.w; x++) {
            byte = (byte << bits) | cs.indexOf(pixelAt(t, x, y));
            used += bits;
            if (used === 8) {
              parts.push(byte);
              byte = used = 0;
            }
          }
          if (used > 0) parts.push(byte << (8 - used));
        }
      } else {
        const palette = m === 'paletteRle';
        parts.push(palette ? 128 + cs.length : 128);
        if (palette) for (const c of cs) parts.push(...cpixel(c));
        for (let i = 0; i < n;) {
          const c = px(i);
          let e = i + 1;
          while (e < n && px(e) === c) e++;
          if (!palette) parts.push(...cpixel(c), ...runLength(e - i));
          else if (e - i === 1) parts.push(cs.indexOf(c));
          else parts.push(cs.indexOf(c) | 128, ...runLength(e - i));
          i = e;
        }
      }
    }
  }
  return Uint8Array.from(parts);
}

/** A ZRLE rectangle: U32 length and the tile data through the connection's stream. */
export async function encodeZRLE(
  img: Img,
  stream: DeflateStream,
  mode: (tile: number) => ZrleMode,
): Promise<Uint8Array> {
  const z = await stream.chunk(zrleTiles(img, mode));
  return concat(u32(z.length), z);
}

/** A Zlib rectangle: U32 length and the raw pixels through the connection's stream. */
export async function encodeZlib(img: Img, stream: DeflateStream): Promise<Uint8Array> {
  const z = await stream.chunk(rgbx(img));
  return concat(u32(z.length), z);
}

export function compactLength(v: number): number[] {
  if (v < 128) return [v];
  if (v < 16384) return [(v & 0x7f) | 0x80, v >> 7];
  return [(v & 0x7f) | 0x80, ((v >> 7) & 0x7f) | 0x80, v >> 14];
}

export type TightMode = 'fill' | 'copy' | 'palette' | 'gradient';

export interface TightOptions {
  /** zlib stream 0..3 for basic compression. */
  stream?: number;
  /** Reset bits 0..3 to send; the encoder resets its streams likewise. */
  reset?: number;
  /** Send the filter id even for the copy filter. */
  explicitCopy?: boolean;
}

/** Tight encoder with the four streams of a connection. */
export class TightEncoder {
  readonly streams = [
    new DeflateStream(),
    new DeflateStream(),
    new DeflateStream(),
    new DeflateStream(),
  ];

  async encode(img: Img, mode: TightMode, opts: TightOptions = {}): Promise<Uint8Array> {
    const reset = opts.reset ?? 0;
    for (let i = 0; i < 4; i++) if (reset & (1 << i)) this.streams[i].reset();
    if (mode === 'fill') {
      return Uint8Array.from([0x80 | reset, ...cpixel(pixelAt(img, 0, 0))]);
    }
    const id = opts.stream ?? 0;
    let head: number[];
    let data: Uint8Array;
    if (mode === 'copy') {
      head = opts.explicitCopy ? [0x40 | (id << 4) | reset, 0] : [(id << 4) | reset];
      data = img.rgb;
    } else if (mode === 'gradient') {
      head = [0x40 | (id << 4) | reset, 2];
      data = gradientFilter(img);
    } else {
      const cs = colours(img);
      if (cs.length > 256) throw new Error('too many colours for a Tight palette');
      head = [0x40 | (id << 4) | reset, 1, cs.length - 1];
      for (const c of cs) head.push(...cpixel(c));
      data = paletteIndices(img, cs);
    }
    if (data.length < 12) return concat(head, data);
    const z = await this.streams[id].chunk(data);
    return concat(head, compactLength(z.length), z);
  }

  /** A JPEG (or, for TightPNG, PNG) rectangle carrying `data` as the image. */
  image(data: Uint8Array, png = false, reset = 0): Uint8Array {
    for (let i = 0; i < 4; i++) if (reset & (1 << i)) this.streams[i].reset();
    return concat([(png ? 0xa0 : 0x90) | reset], compactLength(data.length), data);
  }
}

function paletteIndices(img: Img, cs: number[]): Uint8Array {
  if (cs.length <= 2) {
    const rowBytes = (img.w + 7) >> 3;
    const out = new Uint8Array(rowBytes * img.h);
    for (let y = 0; y < img.h; y++) {
      for (let x = 0; x < img.w; x++) {
        if (cs.indexOf(pixelAt(img, x, y)) === 1) out[y * rowBytes + (x >> 3)] |= 0x80 >> (x & 7);
      }
    }
    return out;
  }
  const out = new Uint8Array(img.w * img.h);
  for (let y = 0; y < img.h; y++) {
    for (let x = 0; x < img.w; x++) out[y * img.w + x] = cs.indexOf(pixelAt(img, x, y));
  }
  return out;
}

/** The spec's gradient filter, written from its pseudo-code: D = V - clamp(left + above - aboveLeft). */
export function gradientFilter(img: Img): Uint8Array {
  const out = new Uint8Array(img.w * img.h * 3);
  const v = (x: number, y: number, c: number): number =>
    x < 0 || y < 0 ? 0 : img.rgb[(y * img.w + x) * 3 + c];
  for (let y = 0; y < img.h; y++) {
    for (let x = 0; x < img.w; x++) {
      for (let c = 0; c < 3; c++) {
        const p = Math.min(255, Math.max(0, v(x - 1, y, c) + v(x, y - 1, c) - v(x - 1, y - 1, c)));
        out[(y * img.w + x) * 3 + c] = (v(x, y, c) - p) & 255;
      }
    }
  }
  return out;
}
