// Raw encoding (0): width * height pixels, drawn row by row as they arrive.

import type { DrawTarget } from '../display/draw-target';
import type { ByteQueue } from '../rfb/byte-queue';
import { BYTES_PER_PIXEL, checkRect } from './common';
import type { Decoder } from './decoder';

export class RawDecoder implements Decoder {
  /** Rows of the current rectangle already drawn; 0 before it starts. */
  private rowsDone = 0;

  decodeRect(
    x: number,
    y: number,
    w: number,
    h: number,
    q: ByteQueue,
    target: DrawTarget,
  ): boolean {
    if (this.rowsDone === 0) checkRect('Raw', x, y, w, h, target);
    const rowBytes = w * BYTES_PER_PIXEL;
    if (rowBytes === 0) return true;
    const rows = Math.min(h - this.rowsDone, Math.floor(q.length / rowBytes));
    if (rows > 0) {
      target.blitRgbx(x, y + this.rowsDone, w, rows, q.readView(rows * rowBytes));
      this.rowsDone += rows;
    }
    if (this.rowsDone < h) return false;
    this.rowsDone = 0;
    return true;
  }

  reset(): void {
    this.rowsDone = 0;
  }
}
