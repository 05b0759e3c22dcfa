// Tests for the CopyRect decoder: overlapping copies, every split, and sources outside the framebuffer.

import { describe, expect, it } from 'vitest';
import { CopyRectDecoder } from '../../src/decoders/copyrect';
import { ProtocolError } from '../../src/decoders/decoder';
import { RawDecoder } from '../../src/decoders/raw';
import { ByteQueue } from '../../src/rfb/byte-queue';
import {
  FakeTarget,
  Model,
  concat,
  decodeError,
  expectDecodesInEverySplit,
  makeImage,
  noiseImage,
  rgbx,
  u16,
} from './helpers';

describe('CopyRectDecoder', () => {
  it('copies overlapping rectangles as if the source were read first, in every split', () => {
    const img = noiseImage(8, 8, 5);
    // Prime the framebuffer with Raw, then copy down-right and up-left over itself.
    const base = new FakeTarget(8, 8);
    const q = new ByteQueue();
    q.push(rgbx(img));
    new RawDecoder().decodeRect(0, 0, 8, 8, q, base);

    const model = new Model(8, 8);
    model.put(0, 0, img);
    const at = (x: number, y: number): number => {
      const i = (y * 8 + x) * 4;
      return (model.rgba[i] << 16) | (model.rgba[i + 1] << 8) | model.rgba[i + 2];
    };
    const copy = (sx: number, sy: number, dx: number, dy: number, w: number, h: number): void => {
      const part = makeImage(w, h, (x, y) => at(sx + x, sy + y));
      model.put(dx, dy, part);
    };
    copy(0, 0, 2, 1, 5, 6);
    copy(3, 2, 1, 0, 4, 5);

    const rects = [
      { x: 2, y: 1, w: 5, h: 6 },
      { x: 1, y: 0, w: 4, h: 5 },
    ];
    const data = concat(u16(0), u16(0), u16(3), u16(2));
    const makeTarget = (): FakeTarget => {
      const t = new FakeTarget(8, 8);
      t.rgba.set(base.rgba);
      return t;
    };
    for (const sizes of [[8], [1, 1, 1, 1, 1, 1, 1, 1], [3, 5], [5, 3]]) {
      const t = makeTarget();
      const dq = new ByteQueue();
      const d = new CopyRectDecoder();
      let r = 0;
      let off = 0;
      for (const s of sizes) {
        dq.push(data.subarray(off, (off += s)));
        while (
          r < rects.length &&
          d.decodeRect(rects[r].x, rects[r].y, rects[r].w, rects[r].h, dq, t)
        )
          r++;
      }
      expect(r).toBe(2);
      expect(Array.from(t.rgba)).toEqual(Array.from(model.rgba));
    }
    // And the generic every-split harness on a copy within an untouched framebuffer.
    const plain = new Model(8, 8);
    expectDecodesInEverySplit(() => new CopyRectDecoder(), plain, rects, data, plain.rgba);
  });

  it('rejects a source outside the framebuffer', () => {
    const e = decodeError(
      new CopyRectDecoder(),
      new FakeTarget(10, 10),
      [{ x: 0, y: 0, w: 4, h: 4 }],
      concat(u16(7), u16(0)),
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('CopyRect source 4x4 at (7, 0) lies outside the 10x10 framebuffer');
  });

  it('rejects a destination outside the framebuffer', () => {
    const e = decodeError(
      new CopyRectDecoder(),
      new FakeTarget(10, 10),
      [{ x: 0, y: 9, w: 4, h: 4 }],
      concat(u16(0), u16(0)),
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toContain('CopyRect rectangle 4x4 at (0, 9) lies outside');
  });
});
