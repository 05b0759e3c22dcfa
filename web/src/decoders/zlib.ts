// Zlib encoding (6): Raw pixel data compressed with one zlib stream per connection.

import type { DrawTarget } from '../display/draw-target';
import type { ByteQueue } from '../rfb/byte-queue';
import { BYTES_PER_PIXEL, ByteScratch, checkRect } from './common';
import type { Decoder } from './decoder';
import { ExactInflater, InflateStream } from './inflate';

/**
 * Inflates the compressed bytes as they arrive and draws each completed run
 * of rows, so neither the compressed nor the inflated rectangle waits whole.
 */
export class ZlibDecoder implements Decoder {
  private readonly stream = new InflateStream('Zlib');
  private readonly inflater = new ExactInflater('Zlib');
  private readonly scratch = new ByteScratch();
  private started = false;
  private rowsDone = 0;

  decodeRect(
    x: number,
    y: number,
    w: number,
    h: number,
    q: ByteQueue,
    target: DrawTarget,
  ): boolean {
    const size = w * h * BYTES_PER_PIXEL;
    if (!this.started) {
      if (q.length < 4) return false;
      checkRect('Zlib', x, y, w, h, target);
      this.inflater.begin(q.readU32(), size);
      this.started = true;
      this.rowsDone = 0;
    }
    const out = this.scratch.get(size);
    let done = false;
    if (this.inflater.wanted === 0) {
      done = this.inflater.feed(this.stream, q.readView(0), out);
    }
    while (!done && q.length > 0) {
      const n = Math.min(this.inflater.wanted, q.length);
      done = this.inflater.feed(this.stream, q.readView(n), out);
    }
    const rowBytes = w * BYTES_PER_PIXEL;
    if (rowBytes > 0) {
      const rows = Math.floor(this.inflater.produced / rowBytes) - this.rowsDone;
      if (rows > 0) {
        target.blitRgbx(x, y + this.rowsDone, w, rows, out, this.rowsDone * rowBytes);
        this.rowsDone += rows;
      }
    }
    if (!done) return false;
    this.started = false;
    return true;
  }

  reset(): void {
    this.stream.reset();
    this.scratch.release();
    this.started = false;
  }
}
