// Tight (7) and TightPNG (-260) encodings: fill, JPEG/PNG images, and zlib-compressed basic data with copy, palette or gradient filters.

import type { DrawTarget } from '../display/draw-target';
import type { ByteQueue } from '../rfb/byte-queue';
import { ByteScratch, OPAQUE, PixelScratch, checkRect } from './common';
import type { Decoder } from './decoder';
import { ProtocolError } from './decoder';
import { ExactInflater, InflateStream } from './inflate';

/** Widest rectangle the Tight spec allows for basic compression. */
export const TIGHT_MAX_WIDTH = 2048;
/** Basic data shorter than this is sent without zlib. */
export const TIGHT_MIN_TO_COMPRESS = 12;
/** The largest length a 3-byte compact representation can give (22 bits): bounds JPEG and PNG data. */
export const TIGHT_MAX_COMPACT_LENGTH = 0x3fffff;
/** Palette filter sizes: 2..256 colours (one is tolerated). */
export const TIGHT_MAX_PALETTE_SIZE = 256;
/** Bytes per TPIXEL: 32 bpp depth 24 sends R, G, B. */
const TPIXEL_BYTES = 3;
const TIGHT_STREAMS = 4;

// Compression types: the high four bits of the compression-control byte.
export const tightFill = 0x8;
export const tightJpeg = 0x9;
export const tightPng = 0xa;
/** In basic compression (high bit clear): a filter-id byte follows. */
export const tightExplicitFilter = 0x4;

// Filter ids.
export const tightFilterCopy = 0;
export const tightFilterPalette = 1;
export const tightFilterGradient = 2;

const enum State {
  Control,
  Fill,
  ImageLength,
  ImageData,
  Filter,
  Palette,
  DataLength,
  CompressedData,
  PlainData,
}

/** Tight, or TightPNG when constructed with `png` (PNG instead of basic compression). */
export class TightDecoder implements Decoder {
  private readonly name: string;
  private readonly streams: InflateStream[] = [];
  private readonly inflater: ExactInflater;
  private readonly inflated = new ByteScratch();
  private readonly pixels = new PixelScratch();
  private readonly palette = new Uint32Array(TIGHT_MAX_PALETTE_SIZE);
  private gradientRow = new Uint8Array(0);

  private state = State.Control;
  private control = 0;
  private filter = tightFilterCopy;
  private paletteSize = 0;
  private dataSize = 0;
  /** Compact length being read: value so far and bytes read. */
  private length = 0;
  private lengthBytes = 0;

  constructor(private readonly png = false) {
    this.name = png ? 'TightPNG' : 'Tight';
    this.inflater = new ExactInflater(this.name);
    for (let i = 0; i < TIGHT_STREAMS; i++) {
      this.streams.push(new InflateStream(`${this.name} stream ${i}`));
    }
  }

  decodeRect(
    x: number,
    y: number,
    w: number,
    h: number,
    q: ByteQueue,
    target: DrawTarget,
  ): boolean {
    for (;;) {
      switch (this.state) {
        case State.Control: {
          if (q.length < 1) return false;
          checkRect(this.name, x, y, w, h, target);
          const ctl = q.readU8();
          for (let i = 0; i < TIGHT_STREAMS; i++) {
            if (ctl & (1 << i)) this.streams[i].reset();
          }
          this.control = ctl >> 4;
          this.state = this.afterControl(w, h);
          break;
        }
        case State.Fill: {
          if (q.length < TPIXEL_BYTES) return false;
          const c = q.readView(TPIXEL_BYTES);
          if (w > 0 && h > 0) target.fillRect(x, y, w, h, c[0], c[1], c[2]);
          return this.finish();
        }
        case State.ImageLength:
          if (!this.readCompactLength(q)) return false;
          this.state = State.ImageData;
          break;
        case State.ImageData: {
          if (q.length < this.length) return false;
          const data = q.readBytes(this.length);
          const mime = this.control === tightJpeg ? 'image/jpeg' : 'image/png';
          if (w > 0 && h > 0) target.drawImage(x, y, w, h, data, mime);
          return this.finish();
        }
        case State.Filter:
          if (q.length < 1) return false;
          this.filter = q.readU8();
          if (this.filter === tightFilterPalette) {
            this.state = State.Palette;
          } else if (this.filter === tightFilterCopy || this.filter === tightFilterGradient) {
            this.state = this.startData(w, h);
          } else {
            throw new ProtocolError(`${this.name}: bad filter id ${this.filter}`);
          }
          break;
        case State.Palette: {
          if (q.length < 1) return false;
          const size = q.peekU8() + 1;
          if (q.length < 1 + size * TPIXEL_BYTES) return false;
          q.skip(1);
          const p = q.readView(size * TPIXEL_BYTES);
          for (let i = 0, j = 0; i < size; i++, j += TPIXEL_BYTES) {
            this.palette[i] = p[j] | (p[j + 1] << 8) | (p[j + 2] << 16) | OPAQUE;
          }
          this.paletteSize = size;
          this.state = this.startData(w, h);
          break;
        }
        case State.PlainData:
          if (q.length < this.dataSize) return false;
          this.draw(q.readView(this.dataSize), x, y, w, h, target);
          return this.finish();
        case State.DataLength:
          if (!this.readCompactLength(q)) return false;
          this.inflater.begin(this.length, this.dataSize);
          this.state = State.CompressedData;
          break;
        case State.CompressedData: {
          const stream = this.streams[this.control & 3];
          const out = this.inflated.get(this.dataSize);
          let done = this.inflater.wanted === 0 && this.inflater.feed(stream, q.readView(0), out);
          while (!done && q.length > 0) {
            done = this.inflater.feed(
              stream,
              q.readView(Math.min(this.inflater.wanted, q.length)),
              out,
            );
          }
          if (!done) return false;
          this.draw(out, x, y, w, h, target);
          return this.finish();
        }
      }
    }
  }

  reset(): void {
    for (const s of this.streams) s.reset();
    this.inflated.release();
    this.pixels.release();
    this.gradientRow = new Uint8Array(0);
    this.state = State.Control;
  }

  private finish(): boolean {
    this.state = State.Control;
    return true;
  }

  /** The state after the compression-control byte. */
  private afterControl(w: number, h: number): State {
    const type = this.control;
    if (type === tightFill) return State.Fill;
    if (type === tightJpeg || (type === tightPng && this.png)) {
      this.length = this.lengthBytes = 0;
      return State.ImageLength;
    }
    if (type & 0x8) {
      throw new ProtocolError(`${this.name}: bad compression type 0x${type.toString(16)}`);
    }
    if (this.png) {
      throw new ProtocolError('TightPNG: basic compression is not allowed');
    }
    if (w > TIGHT_MAX_WIDTH) {
      throw new ProtocolError(`Tight: rectangle width ${w} exceeds ${TIGHT_MAX_WIDTH}`);
    }
    this.paletteSize = 0;
    this.filter = tightFilterCopy;
    return type & tightExplicitFilter ? State.Filter : this.startData(w, h);
  }

  /** Sizes the filtered data and chooses whether it comes compressed. */
  private startData(w: number, h: number): State {
    if (this.paletteSize > 0) {
      this.dataSize = (this.paletteSize <= 2 ? (w + 7) >> 3 : w) * h;
    } else {
      this.dataSize = w * h * TPIXEL_BYTES;
    }
    if (this.dataSize < TIGHT_MIN_TO_COMPRESS) return State.PlainData;
    this.length = this.lengthBytes = 0;
    return State.DataLength;
  }

  /** Reads a 1-3 byte compact length into `length`; false if more bytes are needed. */
  private readCompactLength(q: ByteQueue): boolean {
    while (q.length > 0) {
      const b = q.readU8();
      if (this.lengthBytes < 2) {
        this.length |= (b & 0x7f) << (7 * this.lengthBytes++);
        if ((b & 0x80) === 0) return true;
      } else {
        this.length |= b << 14;
        this.lengthBytes++;
        return true;
      }
    }
    return false;
  }

  /**
   * Converts filtered data to pixels and draws them: straight into the framebuffer when the
   * target lends it (DrawTarget.directPixels), else into scratch pixels that are then blitted.
   * A bad palette index may leave the rectangle half drawn; the session ends on it anyway.
   */
  private draw(
    d: Uint8Array,
    x: number,
    y: number,
    w: number,
    h: number,
    target: DrawTarget,
  ): void {
    const n = w * h;
    if (n === 0) return;
    const direct = target.directPixels?.(x, y, w, h) ?? null;
    const out = direct ? direct.pixels : this.pixels.get(n);
    const base = direct ? direct.offset : 0;
    const stride = direct ? direct.stride : w;
    if (this.paletteSize > 0) {
      this.unpalette(d, out, base, stride, w, h);
    } else if (this.filter === tightFilterGradient) {
      this.ungradient(d, out, base, stride, w, h);
    } else {
      for (let j = 0, p = 0; j < h; j++) {
        for (let o = base + j * stride, end = o + w; o < end; o++, p += TPIXEL_BYTES) {
          out[o] = d[p] | (d[p + 1] << 8) | (d[p + 2] << 16) | OPAQUE;
        }
      }
    }
    if (direct) target.commitDirect?.(x, y, w, h);
    else target.blitRgbx(x, y, w, h, this.pixels.bytes(n));
  }

  /** Palette indices to pixels, written from out[base] on, rows `stride` apart. */
  private unpalette(
    d: Uint8Array,
    out: Uint32Array,
    base: number,
    stride: number,
    w: number,
    h: number,
  ): void {
    const pal = this.palette;
    const size = this.paletteSize;
    if (size <= 2) {
      // One bit per pixel, most significant bit leftmost, rows padded to bytes.
      const rowBytes = (w + 7) >> 3;
      for (let j = 0; j < h; j++) {
        const row = j * rowBytes;
        for (let i = 0, o = base + j * stride; i < w; i++) {
          const idx = (d[row + (i >> 3)] >> (7 - (i & 7))) & 1;
          if (idx >= size) throw this.badIndex(idx);
          out[o++] = pal[idx];
        }
      }
    } else {
      for (let j = 0, p = 0; j < h; j++) {
        for (let o = base + j * stride, end = o + w; o < end; o++, p++) {
          const idx = d[p];
          if (idx >= size) throw this.badIndex(idx);
          out[o] = pal[idx];
        }
      }
    }
  }

  /**
   * Undoes the gradient filter: each component was sent as the difference
   * from the prediction left + above - above-left (clamped to 0..255), with
   * pixels outside the rectangle taken as zero; sums wrap modulo 256.
   */
  private ungradient(
    d: Uint8Array,
    out: Uint32Array,
    base: number,
    stride: number,
    w: number,
    h: number,
  ): void {
    if (this.gradientRow.length < w * 3) this.gradientRow = new Uint8Array(w * 3);
    const above = this.gradientRow;
    above.fill(0, 0, w * 3);
    let p = 0;
    for (let j = 0; j < h; j++) {
      let o = base + j * stride;
      let lr = 0;
      let lg = 0;
      let lb = 0;
      let ulr = 0;
      let ulg = 0;
      let ulb = 0;
      for (let i = 0, a = 0; i < w; i++, a += 3, p += 3) {
        const ur = above[a];
        const ug = above[a + 1];
        const ub = above[a + 2];
        let er = lr + ur - ulr;
        let eg = lg + ug - ulg;
        let eb = lb + ub - ulb;
        er = er < 0 ? 0 : er > 255 ? 255 : er;
        eg = eg < 0 ? 0 : eg > 255 ? 255 : eg;
        eb = eb < 0 ? 0 : eb > 255 ? 255 : eb;
        lr = (d[p] + er) & 255;
        lg = (d[p + 1] + eg) & 255;
        lb = (d[p + 2] + eb) & 255;
        above[a] = lr;
        above[a + 1] = lg;
        above[a + 2] = lb;
        ulr = ur;
        ulg = ug;
        ulb = ub;
        out[o++] = lr | (lg << 8) | (lb << 16) | OPAQUE;
      }
    }
  }

  private badIndex(idx: number): ProtocolError {
    return new ProtocolError(
      `${this.name}: palette index ${idx} out of range for a palette of ${this.paletteSize}`,
    );
  }
}
