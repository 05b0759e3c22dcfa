// The framebuffer: RGBA pixels that decoders draw into, put to a canvas once per animation frame where they changed.

import { ProtocolError } from '../decoders/decoder';
import { DamageRegion } from './damage';
import type { DirectPixels, DrawTarget } from './draw-target';
import type { DecodeImage, DecodedImage, ImageMime } from './images';
import { createBrowserDecoder } from './images';

/** Largest framebuffer side: browsers' canvas limit (Chromium: 32767). */
export const MAX_FRAMEBUFFER_SIDE = 32767;
/** Largest framebuffer area, 256 MiB of RGBA: two 8K screens side by side fit. */
export const MAX_FRAMEBUFFER_PIXELS = 8192 * 8192;
/** Fallback frame interval where requestAnimationFrame is missing. */
const FRAME_INTERVAL_MS = 16;
/** Alpha bits of an opaque pixel in a little-endian Uint32 view of R, G, B, A bytes. */
const OPAQUE = 0xff000000;

/** What Display needs of a 2D context; OffscreenCanvas and HTMLCanvasElement contexts have it. */
export interface DisplayContext {
  createImageData(sw: number, sh: number): ImageData;
  putImageData(
    imageData: ImageData,
    dx: number,
    dy: number,
    dirtyX: number,
    dirtyY: number,
    dirtyWidth: number,
    dirtyHeight: number,
  ): void;
}

/** What Display needs of a canvas: an OffscreenCanvas or an HTMLCanvasElement. */
export interface DisplayCanvas {
  width: number;
  height: number;
  getContext(contextId: '2d', options?: CanvasRenderingContext2DSettings): DisplayContext | null;
}

export interface DisplayOptions {
  /** Decodes JPEG and PNG rectangles; defaults to the browser's (ImageDecoder, createImageBitmap). */
  decodeImage?: DecodeImage;
  /** Runs a callback before the next frame; defaults to requestAnimationFrame, else a timer. */
  requestFrame?: (callback: () => void) => void;
  /** Told when an image rectangle cannot be decoded (the server sent a corrupt image). */
  onImageError?: (error: Error) => void;
}

type Operation =
  | { kind: 'fill'; x: number; y: number; w: number; h: number; colour: number }
  | { kind: 'copy'; srcX: number; srcY: number; x: number; y: number; w: number; h: number }
  | { kind: 'blit'; x: number; y: number; w: number; h: number; pixels: Uint8Array }
  | { kind: 'resize'; w: number; h: number }
  | {
      kind: 'image';
      x: number;
      y: number;
      w: number;
      h: number;
      mime: ImageMime;
      settled: boolean;
      image: DecodedImage | null;
      error: unknown;
    };

/**
 * The client's copy of the remote framebuffer and its canvas.
 *
 * Drawing writes straight into one RGBA array (alpha set once, at
 * allocation) and records the damage; once per animation frame flush() puts
 * each merged damaged rectangle to the canvas with one putImageData.
 *
 * JPEG and PNG rectangles decode asynchronously. While one is decoding, the
 * operations after it wait in a queue (blits copied) and run in order once
 * it is drawn; with no decode pending nothing is queued. The RFB reader
 * should await whenIdle() before reading further updates when `busy`, so
 * the queue stays bounded.
 */
export class Display implements DrawTarget {
  private readonly ctx: DisplayContext;
  private readonly decodeImage: DecodeImage;
  private readonly requestFrame: (callback: () => void) => void;
  private readonly onImageError: (error: Error) => void;

  private fbWidth = 0;
  private fbHeight = 0;
  /** Row length of the pixel arrays (at least 1, also for an empty framebuffer). */
  private stride = 1;
  private image!: ImageData;
  private pixels32!: Uint32Array;
  private readonly damage = new DamageRegion();
  private frameRequested = false;

  private queue: Operation[] = [];
  private queuedBytes = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly canvas: DisplayCanvas,
    width: number,
    height: number,
    options: DisplayOptions = {},
  ) {
    const ctx = canvas.getContext('2d', { alpha: false });
    if (ctx === null) throw new Error('Display: the canvas has no 2d context');
    this.ctx = ctx;
    this.decodeImage = options.decodeImage ?? createBrowserDecoder();
    this.requestFrame = options.requestFrame ?? defaultRequestFrame;
    this.onImageError =
      options.onImageError ?? ((e: Error) => console.error('vncgate display:', e.message));
    this.allocate(width, height, null);
  }

  get width(): number {
    return this.fbWidth;
  }

  get height(): number {
    return this.fbHeight;
  }

  /** The RGBA framebuffer (row length `width`); read it only, e.g. for screenshots and tests. */
  get framebuffer(): Uint8ClampedArray {
    return this.image.data;
  }

  /** Bytes held: the framebuffer plus operations waiting for an image. */
  get memoryBytes(): number {
    return this.image.data.byteLength + this.queuedBytes;
  }

  /** True while operations wait for an image decode. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  /** Resolves when no image decode is pending and every operation so far has been drawn. */
  whenIdle(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Changes the framebuffer size, keeping the content where old and new
   * overlap (black elsewhere) and dropping the old pixel array.
   */
  resize(w: number, h: number): void {
    if (w > MAX_FRAMEBUFFER_SIDE || h > MAX_FRAMEBUFFER_SIDE || w * h > MAX_FRAMEBUFFER_PIXELS) {
      throw new ProtocolError(`framebuffer size ${w}x${h} exceeds the client's limit`);
    }
    if (this.queue.length > 0) {
      this.queue.push({ kind: 'resize', w, h });
      return;
    }
    this.resizeNow(w, h);
  }

  fillRect(x: number, y: number, w: number, h: number, r: number, g: number, b: number): void {
    const colour = (r | (g << 8) | (b << 16) | OPAQUE) >>> 0;
    if (this.queue.length > 0) {
      this.queue.push({ kind: 'fill', x, y, w, h, colour });
      return;
    }
    this.fillNow(x, y, w, h, colour);
  }

  copyRect(srcX: number, srcY: number, x: number, y: number, w: number, h: number): void {
    if (this.queue.length > 0) {
      this.queue.push({ kind: 'copy', srcX, srcY, x, y, w, h });
      return;
    }
    this.copyNow(srcX, srcY, x, y, w, h);
  }

  blitRgbx(x: number, y: number, w: number, h: number, pixels: Uint8Array, offset = 0): void {
    if (this.queue.length > 0) {
      // The caller reuses its buffer: keep a copy until the image ahead is drawn.
      const copy = pixels.slice(offset, offset + w * h * 4);
      this.queue.push({ kind: 'blit', x, y, w, h, pixels: copy });
      this.queuedBytes += copy.byteLength;
      return;
    }
    this.blitNow(x, y, w, h, pixels, offset, w);
  }

  /** The pixel array itself, unless operations wait for an image (they must run first). */
  directPixels(x: number, y: number, w: number, h: number): DirectPixels | null {
    if (this.queue.length > 0) return null;
    if (x < 0 || y < 0 || w < 0 || h < 0 || x + w > this.fbWidth || y + h > this.fbHeight) {
      return null;
    }
    return { pixels: this.pixels32, offset: y * this.stride + x, stride: this.stride };
  }

  commitDirect(x: number, y: number, w: number, h: number): void {
    const r = { x, y, w, h };
    if (this.clip(r)) this.addDamage(r.x, r.y, r.w, r.h);
  }

  drawImage(x: number, y: number, w: number, h: number, data: Uint8Array, mime: ImageMime): void {
    const op: Operation = {
      kind: 'image',
      x,
      y,
      w,
      h,
      mime,
      settled: false,
      image: null,
      error: null,
    };
    this.queue.push(op);
    let decoding: Promise<DecodedImage>;
    try {
      decoding = this.decodeImage(data, mime);
    } catch (e) {
      decoding = Promise.reject(e);
    }
    decoding.then(
      (image) => {
        op.image = image;
        op.settled = true;
        this.runQueue();
      },
      (error: unknown) => {
        op.error = error;
        op.settled = true;
        this.runQueue();
      },
    );
  }

  /** Puts every damaged rectangle to the canvas now (normally called once per frame). */
  flush(): void {
    for (const r of this.damage.rects) {
      this.ctx.putImageData(this.image, 0, 0, r.x, r.y, r.w, r.h);
    }
    this.damage.clear();
  }

  /** Runs queued operations up to the next image still decoding. */
  private runQueue(): void {
    let i = 0;
    for (; i < this.queue.length; i++) {
      const op = this.queue[i];
      switch (op.kind) {
        case 'image':
          if (!op.settled) {
            this.queue.splice(0, i);
            return;
          }
          this.imageNow(op);
          break;
        case 'fill':
          this.fillNow(op.x, op.y, op.w, op.h, op.colour);
          break;
        case 'copy':
          this.copyNow(op.srcX, op.srcY, op.x, op.y, op.w, op.h);
          break;
        case 'blit':
          this.blitNow(op.x, op.y, op.w, op.h, op.pixels, 0, op.w);
          this.queuedBytes -= op.pixels.byteLength;
          break;
        case 'resize':
          this.resizeNow(op.w, op.h);
          break;
      }
    }
    this.queue = [];
    this.queuedBytes = 0;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private imageNow(op: Extract<Operation, { kind: 'image' }>): void {
    const image = op.image;
    if (image === null) {
      const reason = op.error instanceof Error ? op.error.message : String(op.error);
      this.onImageError(
        new Error(`${op.mime} rectangle ${op.w}x${op.h} at (${op.x}, ${op.y}): ${reason}`),
      );
      return;
    }
    try {
      const w = Math.min(op.w, image.width);
      const h = Math.min(op.h, image.height);
      if (w > 0 && h > 0) this.blitNow(op.x, op.y, w, h, image.pixels(), 0, image.width);
    } finally {
      image.close();
    }
  }

  private resizeNow(w: number, h: number): void {
    if (w === this.fbWidth && h === this.fbHeight) return;
    this.allocate(w, h, this.pixels32);
  }

  /** Allocates the pixel array for w x h, copying what overlaps from `old` (row length this.stride). */
  private allocate(w: number, h: number, old: Uint32Array | null): void {
    const stride = Math.max(1, w);
    const image = this.ctx.createImageData(stride, Math.max(1, h));
    const pixels32 = new Uint32Array(
      image.data.buffer,
      image.data.byteOffset,
      stride * Math.max(1, h),
    );
    pixels32.fill(OPAQUE);
    if (old !== null) {
      const cw = Math.min(w, this.fbWidth);
      const ch = Math.min(h, this.fbHeight);
      for (let j = 0; j < ch; j++) {
        pixels32.set(old.subarray(j * this.stride, j * this.stride + cw), j * stride);
      }
    }
    // Drop the old array before anything else is allocated.
    this.image = image;
    this.pixels32 = pixels32;
    this.fbWidth = w;
    this.fbHeight = h;
    this.stride = stride;
    // Setting the size clears the canvas, so all of it is damaged.
    if (this.canvas.width !== stride) this.canvas.width = stride;
    if (this.canvas.height !== Math.max(1, h)) this.canvas.height = Math.max(1, h);
    this.damage.clear();
    this.addDamage(0, 0, w, h);
  }

  /** Clips a rectangle to the framebuffer; returns false if nothing is left. */
  private clip(r: { x: number; y: number; w: number; h: number }): boolean {
    if (r.x < 0) {
      r.w += r.x;
      r.x = 0;
    }
    if (r.y < 0) {
      r.h += r.y;
      r.y = 0;
    }
    r.w = Math.min(r.w, this.fbWidth - r.x);
    r.h = Math.min(r.h, this.fbHeight - r.y);
    return r.w > 0 && r.h > 0;
  }

  private fillNow(x: number, y: number, w: number, h: number, colour: number): void {
    const r = { x, y, w, h };
    if (!this.clip(r)) return;
    const px = this.pixels32;
    for (let j = 0, o = r.y * this.stride + r.x; j < r.h; j++, o += this.stride) {
      px.fill(colour, o, o + r.w);
    }
    this.addDamage(r.x, r.y, r.w, r.h);
  }

  private copyNow(srcX: number, srcY: number, x: number, y: number, w: number, h: number): void {
    // Clip source and destination together, so each pixel keeps its source.
    const left = Math.max(0, -srcX, -x);
    const top = Math.max(0, -srcY, -y);
    const sx = srcX + left;
    const sy = srcY + top;
    const dx = x + left;
    const dy = y + top;
    const cw = Math.min(w - left, this.fbWidth - sx, this.fbWidth - dx);
    const ch = Math.min(h - top, this.fbHeight - sy, this.fbHeight - dy);
    if (cw <= 0 || ch <= 0) return;
    const px = this.pixels32;
    const s = this.stride;
    // Rows are copied away from the overlap so that each is read before it is overwritten.
    if (dy > sy) {
      for (let j = ch - 1; j >= 0; j--) {
        const from = (sy + j) * s + sx;
        px.copyWithin((dy + j) * s + dx, from, from + cw);
      }
    } else {
      for (let j = 0; j < ch; j++) {
        const from = (sy + j) * s + sx;
        px.copyWithin((dy + j) * s + dx, from, from + cw);
      }
    }
    this.addDamage(dx, dy, cw, ch);
  }

  /** Draws w x h pixels of 4 bytes (R, G, B, ignored) from `src` at `offset`, rows `srcStride` pixels apart. */
  private blitNow(
    x: number,
    y: number,
    w: number,
    h: number,
    src: Uint8Array | Uint8ClampedArray,
    offset: number,
    srcStride: number,
  ): void {
    const r = { x, y, w, h };
    if (!this.clip(r)) return;
    offset += ((r.y - y) * srcStride + (r.x - x)) * 4;
    const s = this.stride;
    const start = src.byteOffset + offset;
    if ((start & 3) === 0) {
      // Aligned: whole pixels at a time, forcing alpha opaque.
      const count = (r.h - 1) * srcStride + r.w;
      const src32 = new Uint32Array(src.buffer, start, count);
      const px = this.pixels32;
      for (let j = 0; j < r.h; j++) {
        let o = (r.y + j) * s + r.x;
        let p = j * srcStride;
        const end = o + r.w;
        while (o < end) px[o++] = src32[p++] | OPAQUE;
      }
    } else {
      // Unaligned: bytes; the framebuffer's alpha is already opaque.
      const px = this.image.data;
      for (let j = 0; j < r.h; j++) {
        let o = ((r.y + j) * s + r.x) * 4;
        let p = offset + j * srcStride * 4;
        const end = o + r.w * 4;
        for (; o < end; o += 4, p += 4) {
          px[o] = src[p];
          px[o + 1] = src[p + 1];
          px[o + 2] = src[p + 2];
        }
      }
    }
    this.addDamage(r.x, r.y, r.w, r.h);
  }

  private addDamage(x: number, y: number, w: number, h: number): void {
    this.damage.add(x, y, w, h);
    if (!this.frameRequested && !this.damage.isEmpty) {
      this.frameRequested = true;
      this.requestFrame(() => {
        this.frameRequested = false;
        this.flush();
      });
    }
  }
}

function defaultRequestFrame(callback: () => void): void {
  // Chromium has requestAnimationFrame in workers too, for OffscreenCanvas.
  if (typeof requestAnimationFrame === 'function') {
    requestAnimationFrame(() => callback());
  } else {
    setTimeout(callback, FRAME_INTERVAL_MS);
  }
}
