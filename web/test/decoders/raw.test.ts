// Tests for the Raw decoder: exact pixels in every split of the data, and rectangles outside the framebuffer.

import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/decoders/decoder';
import { RawDecoder } from '../../src/decoders/raw';
import { ByteQueue } from '../../src/rfb/byte-queue';
import {
  FakeTarget,
  Model,
  concat,
  decodeError,
  expectDecodesInEverySplit,
  noiseImage,
  rgbx,
} from './helpers';

describe('RawDecoder', () => {
  it('draws exact pixels however the data is split, ignoring the X byte', () => {
    const a = noiseImage(7, 5, 1);
    const b = noiseImage(3, 4, 2);
    const model = new Model(12, 10);
    model.put(2, 1, a);
    model.put(9, 6, b);
    const rects = [
      { x: 2, y: 1, w: 7, h: 5 },
      { x: 0, y: 0, w: 0, h: 3 },
      { x: 9, y: 6, w: 3, h: 4 },
    ];
    const data = concat(rgbx(a, 0xaa), rgbx(b, 0x00));
    const n = expectDecodesInEverySplit(() => new RawDecoder(), model, rects, data, model.rgba);
    expect(n).toBeGreaterThan(100);
  });

  it('draws the rows that have arrived before the rest', () => {
    const img = noiseImage(4, 3, 3);
    const target = new FakeTarget(4, 3);
    const decoder = new RawDecoder();
    const q = new ByteQueue();
    q.push(rgbx(img).subarray(0, 16 + 5));
    expect(decoder.decodeRect(0, 0, 4, 3, q, target)).toBe(false);
    expect(q.length).toBe(5);
    const model = new Model(4, 3);
    model.put(0, 0, { w: 4, h: 1, rgb: img.rgb.subarray(0, 12) });
    expect(Array.from(target.rgba)).toEqual(Array.from(model.rgba));
  });

  it('rejects a rectangle outside the framebuffer', () => {
    const e = decodeError(
      new RawDecoder(),
      new FakeTarget(10, 10),
      [{ x: 8, y: 0, w: 3, h: 1 }],
      new Uint8Array(12),
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('Raw rectangle 3x1 at (8, 0) lies outside the 10x10 framebuffer');
  });
});
