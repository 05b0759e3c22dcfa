// RRE encoding (2): a background colour and a list of solid subrectangles, drawn as they arrive.

import type { DrawTarget } from '../display/draw-target';
import type { ByteQueue } from '../rfb/byte-queue';
import { checkRect } from './common';
import type { Decoder } from './decoder';
import { ProtocolError } from './decoder';

/** Header: number-of-subrectangles (U32) and background PIXEL. */
const RRE_HEADER_BYTES = 8;
/** Each subrectangle: PIXEL, x, y, width, height (U16 each). */
const RRE_SUBRECT_BYTES = 12;

export class RREDecoder implements Decoder {
  /** Subrectangles still to read; -1 before the header. */
  private subrectsLeft = -1;

  decodeRect(
    x: number,
    y: number,
    w: number,
    h: number,
    q: ByteQueue,
    target: DrawTarget,
  ): boolean {
    if (this.subrectsLeft < 0) {
      if (q.length < RRE_HEADER_BYTES) return false;
      checkRect('RRE', x, y, w, h, target);
      const count = q.readU32();
      // Every subrectangle covers at least one pixel of the rectangle, so
      // more of them than pixels is not an encoding of anything.
      if (count > w * h) {
        throw new ProtocolError(`RRE: ${count} subrectangles for a ${w}x${h} rectangle`);
      }
      const bg = q.readView(4);
      if (w > 0 && h > 0) target.fillRect(x, y, w, h, bg[0], bg[1], bg[2]);
      this.subrectsLeft = count;
    }
    while (this.subrectsLeft > 0 && q.length >= RRE_SUBRECT_BYTES) {
      const p = q.readView(RRE_SUBRECT_BYTES);
      const sx = (p[4] << 8) | p[5];
      const sy = (p[6] << 8) | p[7];
      const sw = (p[8] << 8) | p[9];
      const sh = (p[10] << 8) | p[11];
      if (sx + sw > w || sy + sh > h) {
        throw new ProtocolError(
          `RRE subrectangle ${sw}x${sh} at (${sx}, ${sy}) lies outside its ${w}x${h} rectangle`,
        );
      }
      if (sw > 0 && sh > 0) target.fillRect(x + sx, y + sy, sw, sh, p[0], p[1], p[2]);
      this.subrectsLeft--;
    }
    if (this.subrectsLeft > 0) return false;
    this.subrectsLeft = -1;
    return true;
  }

  reset(): void {
    this.subrectsLeft = -1;
  }
}
