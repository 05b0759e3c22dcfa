// Tests for the Hextile decoder: raw and subrectangle tiles with carried-over colours, every split, and malformed tiles.

import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/decoders/decoder';
import { HextileDecoder } from '../../src/decoders/hextile';
import { encodeHextile } from './encoders';
import {
  FakeTarget,
  Model,
  concat,
  decodeError,
  expectDecodesInEverySplit,
  makeImage,
  noiseImage,
  paletteImage,
} from './helpers';

describe('HextileDecoder', () => {
  it('draws exact pixels for raw, solid, mono and coloured tiles in every split', () => {
    // 37x21: partial tiles at the right and bottom edges.
    const img = makeImage(37, 21, (x, y) => {
      if (x < 16 && y < 16) return 0x102030; // solid
      if (x < 32 && y < 16) return (x + y) % 5 === 0 ? 0xffffff : 0x102030; // mono, bg carried over
      if (y >= 16 && x < 16) return [0xff0000, 0x00ff00, 0x0000ff][(x * y) % 3]; // coloured
      return ((x * 2654435761) ^ (y * 40503)) & 0xffffff; // noisy: raw
    });
    const model = new Model(40, 24);
    model.put(3, 2, img);
    const data = encodeHextile(img);
    const n = expectDecodesInEverySplit(
      () => new HextileDecoder(),
      model,
      [{ x: 3, y: 2, w: 37, h: 21 }],
      data,
      model.rgba,
      200,
    );
    expect(n).toBeGreaterThan(100);
  });

  it('keeps background and foreground across raw tiles and rectangles of one decoder', () => {
    const a = paletteImage(48, 16, 2, 4);
    const b = paletteImage(20, 20, 2, 4);
    const model = new Model(48, 40);
    model.put(0, 0, a);
    model.put(5, 18, b);
    const rects = [
      { x: 0, y: 0, w: 48, h: 16 },
      { x: 5, y: 18, w: 20, h: 20 },
    ];
    const data = concat(
      encodeHextile(a, (t) => (t === 1 ? 'raw' : 'auto')),
      encodeHextile(b),
    );
    expectDecodesInEverySplit(() => new HextileDecoder(), model, rects, data, model.rgba, 200);
  });

  it('decodes a noisy rectangle of raw tiles', () => {
    const img = noiseImage(33, 17, 9);
    const model = new Model(33, 17);
    model.put(0, 0, img);
    expectDecodesInEverySplit(
      () => new HextileDecoder(),
      model,
      [{ x: 0, y: 0, w: 33, h: 17 }],
      encodeHextile(img),
      model.rgba,
      100,
    );
  });

  it('rejects an unknown subencoding bit', () => {
    const e = decodeError(
      new HextileDecoder(),
      new FakeTarget(16, 16),
      [{ x: 0, y: 0, w: 16, h: 16 }],
      Uint8Array.from([0x20]),
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('Hextile: bad subencoding 0x20');
  });

  it('rejects a subrectangle that leaves its tile', () => {
    // A 10x10 tile: background, one subrectangle 4 wide at x = 8.
    const data = Uint8Array.from([
      2 | 4 | 8,
      0,
      0,
      0,
      0,
      9,
      9,
      9,
      0,
      1,
      (8 << 4) | 0,
      (3 << 4) | 0,
    ]);
    const e = decodeError(
      new HextileDecoder(),
      new FakeTarget(10, 10),
      [{ x: 0, y: 0, w: 10, h: 10 }],
      data,
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('Hextile subrectangle 4x1 at (8, 0) lies outside its 10x10 tile');
  });

  it('rejects a rectangle outside the framebuffer', () => {
    const e = decodeError(
      new HextileDecoder(),
      new FakeTarget(10, 10),
      [{ x: 5, y: 5, w: 6, h: 5 }],
      Uint8Array.from([0]),
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toContain('Hextile rectangle 6x5 at (5, 5) lies outside');
  });
});
