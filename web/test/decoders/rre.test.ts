// Tests for the RRE decoder: exact pixels in every split, overlapping subrectangles, and malformed counts and bounds.

import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/decoders/decoder';
import { RREDecoder } from '../../src/decoders/rre';
import { encodeRRE } from './encoders';
import {
  FakeTarget,
  Model,
  concat,
  decodeError,
  expectDecodesInEverySplit,
  makeImage,
  paletteImage,
  u16,
  u32,
} from './helpers';

describe('RREDecoder', () => {
  it('draws exact pixels however the data is split', () => {
    const a = paletteImage(9, 6, 3, 11);
    const b = makeImage(5, 4, (x, y) => (x === 2 || y === 1 ? 0xff0000 : 0x00ff00));
    const model = new Model(16, 12);
    model.put(1, 2, a);
    model.put(11, 8, b);
    const rects = [
      { x: 1, y: 2, w: 9, h: 6 },
      { x: 11, y: 8, w: 5, h: 4 },
    ];
    const data = concat(encodeRRE(a), encodeRRE(b));
    expectDecodesInEverySplit(() => new RREDecoder(), model, rects, data, model.rgba, 300);
  });

  it('draws overlapping subrectangles in order', () => {
    const data = concat(
      u32(2),
      [1, 2, 3, 0],
      [200, 0, 0, 0, ...u16(0), ...u16(0), ...u16(3), ...u16(2)],
      [0, 0, 200, 0, ...u16(1), ...u16(1), ...u16(2), ...u16(1)],
    );
    const model = new Model(4, 3);
    model.put(
      0,
      0,
      makeImage(4, 3, () => 0x010203),
    );
    model.put(
      0,
      0,
      makeImage(3, 2, () => 0xc80000),
    );
    model.put(
      1,
      1,
      makeImage(2, 1, () => 0x0000c8),
    );
    expectDecodesInEverySplit(
      () => new RREDecoder(),
      model,
      [{ x: 0, y: 0, w: 4, h: 3 }],
      data,
      model.rgba,
    );
  });

  it('rejects a subrectangle outside its rectangle', () => {
    const data = concat(
      u32(1),
      [0, 0, 0, 0],
      [9, 9, 9, 0, ...u16(2), ...u16(0), ...u16(3), ...u16(1)],
    );
    const e = decodeError(
      new RREDecoder(),
      new FakeTarget(10, 10),
      [{ x: 0, y: 0, w: 4, h: 4 }],
      data,
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('RRE subrectangle 3x1 at (2, 0) lies outside its 4x4 rectangle');
  });

  it('rejects more subrectangles than pixels before reading them', () => {
    const data = concat(u32(0xffffffff), [0, 0, 0, 0]);
    const e = decodeError(
      new RREDecoder(),
      new FakeTarget(10, 10),
      [{ x: 0, y: 0, w: 4, h: 4 }],
      data,
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('RRE: 4294967295 subrectangles for a 4x4 rectangle');
  });

  it('rejects a rectangle outside the framebuffer', () => {
    const e = decodeError(
      new RREDecoder(),
      new FakeTarget(10, 10),
      [{ x: 0, y: 5, w: 4, h: 6 }],
      concat(u32(0), [0, 0, 0, 0]),
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toContain('RRE rectangle 4x6 at (0, 5) lies outside');
  });
});
