// Hextile encoding (5): 16x16 tiles, each raw or a background with solid subrectangles.

import type { DrawTarget } from '../display/draw-target';
import type { ByteQueue } from '../rfb/byte-queue';
import { BYTES_PER_PIXEL, OPAQUE, PixelScratch, checkRect } from './common';
import type { Decoder } from './decoder';
import { ProtocolError } from './decoder';

export const HEXTILE_TILE_SIZE = 16;

// Bits of the subencoding mask.
export const hextileRaw = 1;
export const hextileBackgroundSpecified = 2;
export const hextileForegroundSpecified = 4;
export const hextileAnySubrects = 8;
export const hextileSubrectsColoured = 16;
const HEXTILE_KNOWN_BITS = 0x1f;

/**
 * Decodes a whole tile at a time, once all its bytes are queued (at most
 * 1 + 255 * 6 + 9 bytes), into a strip of one row of tiles that is drawn when
 * the row is complete.
 */
export class HextileDecoder implements Decoder {
  /** Index of the next tile; -1 before the rectangle starts. */
  private tile = -1;
  private bg = OPAQUE;
  private fg = OPAQUE;
  private readonly strip = new PixelScratch();

  decodeRect(
    x: number,
    y: number,
    w: number,
    h: number,
    q: ByteQueue,
    target: DrawTarget,
  ): boolean {
    if (this.tile < 0) {
      checkRect('Hextile', x, y, w, h, target);
      this.tile = 0;
      // The spec has the first non-raw tile specify its background; a
      // server that does not gets black, as from other viewers.
      this.bg = this.fg = OPAQUE;
    }
    const tilesX = Math.ceil(w / HEXTILE_TILE_SIZE);
    const total = tilesX * Math.ceil(h / HEXTILE_TILE_SIZE);
    const strip = this.strip.get(w * HEXTILE_TILE_SIZE);
    while (this.tile < total) {
      const col = this.tile % tilesX;
      const row = (this.tile - col) / tilesX;
      const tx = col * HEXTILE_TILE_SIZE;
      const tw = Math.min(HEXTILE_TILE_SIZE, w - tx);
      const th = Math.min(HEXTILE_TILE_SIZE, h - row * HEXTILE_TILE_SIZE);
      const size = tileBytes(q, tw, th);
      if (size < 0) return false;
      this.decodeTile(q.readView(size), strip, tx, w, tw, th);
      this.tile++;
      if (col === tilesX - 1) {
        target.blitRgbx(x, y + row * HEXTILE_TILE_SIZE, w, th, this.strip.bytes(w * th));
      }
    }
    this.tile = -1;
    return true;
  }

  reset(): void {
    this.tile = -1;
    this.strip.release();
  }

  private decodeTile(
    data: Uint8Array,
    strip: Uint32Array,
    tx: number,
    stride: number,
    tw: number,
    th: number,
  ): void {
    const sub = data[0];
    let p = 1;
    if (sub & hextileRaw) {
      for (let j = 0; j < th; j++) {
        let o = j * stride + tx;
        for (let i = 0; i < tw; i++, p += 4) {
          strip[o++] = data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | OPAQUE;
        }
      }
      return;
    }
    if (sub & hextileBackgroundSpecified) {
      this.bg = data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | OPAQUE;
      p += 4;
    }
    if (sub & hextileForegroundSpecified) {
      this.fg = data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | OPAQUE;
      p += 4;
    }
    const bg = this.bg;
    for (let j = 0; j < th; j++) {
      const o = j * stride + tx;
      strip.fill(bg, o, o + tw);
    }
    if ((sub & hextileAnySubrects) === 0) return;
    const count = data[p++];
    const coloured = (sub & hextileSubrectsColoured) !== 0;
    let colour = this.fg;
    for (let n = 0; n < count; n++) {
      if (coloured) {
        colour = data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | OPAQUE;
        p += 4;
      }
      const xy = data[p];
      const wh = data[p + 1];
      p += 2;
      const sx = xy >> 4;
      const sy = xy & 15;
      const sw = (wh >> 4) + 1;
      const sh = (wh & 15) + 1;
      if (sx + sw > tw || sy + sh > th) {
        throw new ProtocolError(
          `Hextile subrectangle ${sw}x${sh} at (${sx}, ${sy}) lies outside its ${tw}x${th} tile`,
        );
      }
      for (let j = sy; j < sy + sh; j++) {
        const o = j * stride + tx + sx;
        for (let i = 0; i < sw; i++) strip[o + i] = colour;
      }
    }
  }
}

/**
 * Bytes of the next tile, counting its subencoding byte, or -1 when the queue
 * does not yet hold them all. Throws on an unknown subencoding.
 */
function tileBytes(q: ByteQueue, tw: number, th: number): number {
  if (q.length < 1) return -1;
  const sub = q.peekU8();
  if (sub & ~HEXTILE_KNOWN_BITS) {
    throw new ProtocolError(`Hextile: bad subencoding 0x${sub.toString(16)}`);
  }
  let n = 1;
  if (sub & hextileRaw) {
    n += tw * th * BYTES_PER_PIXEL;
  } else {
    if (sub & hextileBackgroundSpecified) n += BYTES_PER_PIXEL;
    if (sub & hextileForegroundSpecified) n += BYTES_PER_PIXEL;
    if (sub & hextileAnySubrects) {
      if (q.length < n + 1) return -1;
      const count = q.peekU8(n);
      n += 1 + count * (sub & hextileSubrectsColoured ? BYTES_PER_PIXEL + 2 : 2);
    }
  }
  return q.length >= n ? n : -1;
}
