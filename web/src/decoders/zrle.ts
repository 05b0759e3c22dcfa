// ZRLE encoding (16): zlib-compressed 64x64 tiles, raw, solid, packed-palette or run-length encoded.

import type { DrawTarget } from '../display/draw-target';
import type { ByteQueue } from '../rfb/byte-queue';
import { OPAQUE, PixelScratch, checkRect, maxCompressedLength } from './common';
import type { Decoder } from './decoder';
import { ProtocolError } from './decoder';
import { InflateStream } from './inflate';

export const ZRLE_TILE_SIZE = 64;
/** Largest palette (subencodings 2..16 packed, 130..255 run-length encoded). */
export const ZRLE_MAX_PALETTE_SIZE = 127;
/** Bytes per CPIXEL: 32 bpp depth 24 sends the three low bytes, R, G, B. */
const CPIXEL_BYTES = 3;
/**
 * The most inflated bytes a tile may take beyond 4 per pixel (a run-length
 * pixel of 3 bytes plus a length byte): its subencoding byte and a palette.
 */
const ZRLE_TILE_OVERHEAD = 1 + ZRLE_MAX_PALETTE_SIZE * CPIXEL_BYTES;
/** First allocation of the inflate buffer, which then doubles up to the rectangle's limit. */
const ZRLE_INITIAL_BUFFER = 64 * 1024;

const EMPTY = new Uint8Array(0);

/**
 * Inflates the compressed bytes as they arrive into a buffer bounded by what
 * the rectangle can legitimately need, then decodes the tiles from it.
 */
export class ZRLEDecoder implements Decoder {
  private readonly stream = new InflateStream('ZRLE');
  private readonly strip = new PixelScratch();
  private readonly palette = new Uint32Array(ZRLE_MAX_PALETTE_SIZE);
  private buf = new Uint8Array(0);
  /** Compressed bytes still expected; -1 before the length is read. */
  private remaining = -1;
  private pos = 0;
  private limit = 0;

  decodeRect(
    x: number,
    y: number,
    w: number,
    h: number,
    q: ByteQueue,
    target: DrawTarget,
  ): boolean {
    if (this.remaining < 0) {
      if (q.length < 4) return false;
      checkRect('ZRLE', x, y, w, h, target);
      const tiles = Math.ceil(w / ZRLE_TILE_SIZE) * Math.ceil(h / ZRLE_TILE_SIZE);
      this.limit = w * h * 4 + tiles * ZRLE_TILE_OVERHEAD;
      const length = q.readU32();
      if (length > maxCompressedLength(this.limit)) {
        throw new ProtocolError(
          `ZRLE: compressed length ${length} is too large for a ${w}x${h} rectangle`,
        );
      }
      this.remaining = length;
      this.pos = 0;
    }
    while (this.remaining > 0 && q.length > 0) {
      const n = Math.min(this.remaining, q.length);
      this.remaining -= n;
      this.inflate(q.readView(n));
    }
    if (this.remaining > 0) return false;
    this.remaining = -1;
    this.drain();
    this.decodeTiles(x, y, w, h, target);
    return true;
  }

  reset(): void {
    this.stream.reset();
    this.strip.release();
    this.buf = new Uint8Array(0);
    this.remaining = -1;
  }

  /** Inflates all of `input`, growing the buffer up to the limit. */
  private inflate(input: Uint8Array): void {
    for (;;) {
      const end = Math.min(this.buf.length, this.limit);
      this.pos = this.stream.inflate(input, this.buf, this.pos, end);
      const left = this.stream.remainingInput;
      if (left === 0) return;
      this.grow();
      input = input.subarray(input.length - left);
    }
  }

  /** Writes out what the stream decoded but had no room for (the buffer was exactly full). */
  private drain(): void {
    while (this.pos === Math.min(this.buf.length, this.limit)) {
      if (this.pos >= this.limit) {
        this.stream.checkNoPendingOutput(this.limit);
        return;
      }
      this.grow();
      this.pos = this.stream.inflate(
        EMPTY,
        this.buf,
        this.pos,
        Math.min(this.buf.length, this.limit),
      );
    }
  }

  private grow(): void {
    if (this.buf.length >= this.limit) {
      throw new ProtocolError(`ZRLE: zlib data inflates to more than ${this.limit} bytes`);
    }
    const next = new Uint8Array(
      Math.min(this.limit, Math.max(2 * this.buf.length, ZRLE_INITIAL_BUFFER)),
    );
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  private decodeTiles(x: number, y: number, w: number, h: number, target: DrawTarget): void {
    const d = this.buf;
    const end = this.pos;
    const pal = this.palette;
    let p = 0;
    const truncated = (): ProtocolError =>
      new ProtocolError(`ZRLE: tile data ends early (${end} bytes inflated)`);

    for (let ty = 0; ty < h; ty += ZRLE_TILE_SIZE) {
      const th = Math.min(ZRLE_TILE_SIZE, h - ty);
      // A row of tiles goes straight into the framebuffer when the target lends it, else into
      // a strip that is then blitted; `base` and `stride` place it in either.
      const direct = target.directPixels?.(x, y + ty, w, th) ?? null;
      const strip = direct ? direct.pixels : this.strip.get(w * ZRLE_TILE_SIZE);
      const base = direct ? direct.offset : 0;
      const stride = direct ? direct.stride : w;
      for (let tx = 0; tx < w; tx += ZRLE_TILE_SIZE) {
        const tw = Math.min(ZRLE_TILE_SIZE, w - tx);
        const skip = stride - tw;
        if (p >= end) throw truncated();
        const sub = d[p++];
        const palSize = sub & 0x7f;
        if (palSize > 0) {
          if ((sub & 0x80 && palSize === 1) || (!(sub & 0x80) && palSize > 16)) {
            throw new ProtocolError(`ZRLE: bad subencoding ${sub}`);
          }
          if (p + palSize * CPIXEL_BYTES > end) throw truncated();
          for (let i = 0; i < palSize; i++, p += CPIXEL_BYTES) {
            pal[i] = d[p] | (d[p + 1] << 8) | (d[p + 2] << 16) | OPAQUE;
          }
        }

        if (sub === 0) {
          // Raw CPIXELs.
          if (p + tw * th * CPIXEL_BYTES > end) throw truncated();
          let o = base + tx;
          for (let j = 0; j < th; j++, o += skip) {
            for (let i = 0; i < tw; i++, p += CPIXEL_BYTES) {
              strip[o++] = d[p] | (d[p + 1] << 8) | (d[p + 2] << 16) | OPAQUE;
            }
          }
        } else if (sub === 1) {
          // Solid: the palette's one colour.
          const c = pal[0];
          for (let j = 0, o = base + tx; j < th; j++, o += stride) strip.fill(c, o, o + tw);
        } else if (sub <= 16) {
          // Packed palette: 1, 2 or 4 bits per pixel, rows padded to bytes.
          const bits = palSize === 2 ? 1 : palSize <= 4 ? 2 : 4;
          const mask = (1 << bits) - 1;
          const rowBytes = (tw * bits + 7) >> 3;
          if (p + rowBytes * th > end) throw truncated();
          let o = base + tx;
          for (let j = 0; j < th; j++, p += rowBytes, o += skip) {
            let shift = 8;
            let bp = p;
            for (let i = 0; i < tw; i++) {
              shift -= bits;
              if (shift < 0) {
                shift = 8 - bits;
                bp++;
              }
              const idx = (d[bp] >> shift) & mask;
              if (idx >= palSize) throw badIndex(idx, palSize);
              strip[o++] = pal[idx];
            }
          }
        } else {
          // Run-length encoded, plain (128) or with a palette (130..255).
          const total = tw * th;
          let done = 0;
          let o = base + tx;
          let col = 0;
          while (done < total) {
            let c: number;
            let hasLength = true;
            if (palSize === 0) {
              if (p + CPIXEL_BYTES + 1 > end) throw truncated();
              c = d[p] | (d[p + 1] << 8) | (d[p + 2] << 16) | OPAQUE;
              p += CPIXEL_BYTES;
            } else {
              if (p >= end) throw truncated();
              const b = d[p++];
              const idx = b & 0x7f;
              if (idx >= palSize) throw badIndex(idx, palSize);
              c = pal[idx];
              hasLength = (b & 0x80) !== 0;
            }
            let len = 1;
            if (hasLength) {
              let b: number;
              do {
                if (p >= end) throw truncated();
                b = d[p++];
                len += b;
              } while (b === 255);
            }
            if (len > total - done) {
              throw new ProtocolError(`ZRLE: run of ${len} pixels overflows its ${tw}x${th} tile`);
            }
            done += len;
            while (len > 0) {
              const k = Math.min(len, tw - col);
              const stop = o + k;
              while (o < stop) strip[o++] = c;
              len -= k;
              col += k;
              if (col === tw) {
                col = 0;
                o += skip;
              }
            }
          }
        }
      }
      if (direct) target.commitDirect?.(x, y + ty, w, th);
      else target.blitRgbx(x, y + ty, w, th, this.strip.bytes(w * th));
    }
    // Like other viewers, ignore inflated bytes after the last tile.
  }
}

function badIndex(idx: number, size: number): ProtocolError {
  return new ProtocolError(`ZRLE: palette index ${idx} out of range for a palette of ${size}`);
}
