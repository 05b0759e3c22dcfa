// Tests for the Zlib decoder: one stream across rectangles, every split, and oversized, truncated and corrupt data.

import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/decoders/decoder';
import { ZlibDecoder } from '../../src/decoders/zlib';
import { ByteQueue } from '../../src/rfb/byte-queue';
import { encodeZlib } from './encoders';
import {
  DeflateStream,
  FakeTarget,
  Model,
  concat,
  decodeError,
  expectDecodesInEverySplit,
  gradientImage,
  noiseImage,
  paletteImage,
  rgbx,
  u32,
} from './helpers';

describe('ZlibDecoder', () => {
  it('decodes rectangles of one zlib stream in every split', async () => {
    const stream = new DeflateStream();
    const a = paletteImage(20, 10, 4, 1);
    const b = gradientImage(13, 7, 2);
    const c = paletteImage(20, 10, 4, 1); // repeats a: compresses against the shared dictionary
    const model = new Model(32, 24);
    model.put(0, 0, a);
    model.put(19, 17, b);
    model.put(12, 14, c);
    const rects = [
      { x: 0, y: 0, w: 20, h: 10 },
      { x: 19, y: 17, w: 13, h: 7 },
      { x: 12, y: 14, w: 20, h: 10 },
    ];
    const parts = [
      await encodeZlib(a, stream),
      await encodeZlib(b, stream),
      await encodeZlib(c, stream),
    ];
    expect(parts[2].length).toBeLessThan(parts[0].length);
    const n = expectDecodesInEverySplit(
      () => new ZlibDecoder(),
      model,
      rects,
      concat(...parts),
      model.rgba,
      300,
    );
    expect(n).toBeGreaterThan(100);
  });

  it('draws completed rows before the rectangle ends', async () => {
    const img = noiseImage(8, 64, 3);
    const data = await encodeZlib(img, new DeflateStream());
    const target = new FakeTarget(8, 64);
    const q = new ByteQueue();
    q.push(data.subarray(0, data.length - 100));
    expect(new ZlibDecoder().decodeRect(0, 0, 8, 64, q, target)).toBe(false);
    expect(target.calls).toBeGreaterThan(0);
  });

  it('rejects data that inflates to more than the rectangle', async () => {
    const img = noiseImage(4, 4, 4);
    const z = await new DeflateStream().chunk(concat(rgbx(img), [1, 2, 3, 4]));
    const e = decodeError(
      new ZlibDecoder(),
      new FakeTarget(4, 4),
      [{ x: 0, y: 0, w: 4, h: 4 }],
      concat(u32(z.length), z),
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('Zlib: zlib data inflates to more than 64 bytes');
  });

  it('rejects data that inflates to more than the rectangle by a single byte', async () => {
    const img = noiseImage(4, 4, 4);
    const z = await new DeflateStream().chunk(concat(rgbx(img), [1]));
    const e = decodeError(
      new ZlibDecoder(),
      new FakeTarget(4, 4),
      [{ x: 0, y: 0, w: 4, h: 4 }],
      concat(u32(z.length), z),
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('Zlib: zlib data inflates to more than 64 bytes');
  });

  it('rejects truncated zlib data', async () => {
    const img = noiseImage(4, 4, 4);
    const z = (await new DeflateStream().chunk(rgbx(img))).subarray(0, 30);
    const e = decodeError(
      new ZlibDecoder(),
      new FakeTarget(4, 4),
      [{ x: 0, y: 0, w: 4, h: 4 }],
      concat(u32(z.length), z),
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toMatch(/^Zlib: truncated zlib data \(\d+ of 64 bytes\)$/);
  });

  it('rejects corrupt zlib data', () => {
    const z = Uint8Array.from([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff]);
    const e = decodeError(
      new ZlibDecoder(),
      new FakeTarget(4, 4),
      [{ x: 0, y: 0, w: 4, h: 4 }],
      concat(u32(z.length), z),
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toMatch(/^Zlib: corrupt zlib data \(.+\)$/);
  });

  it('rejects an oversized length before reading the data', () => {
    const q = new ByteQueue();
    q.push(Uint8Array.from(u32(0x7fffffff)));
    expect(() => new ZlibDecoder().decodeRect(0, 0, 4, 4, q, new FakeTarget(4, 4))).toThrow(
      new ProtocolError(
        'Zlib: compressed length 2147483647 is too large for 64 bytes of pixel data',
      ),
    );
  });

  it('rejects a rectangle outside the framebuffer', () => {
    const e = decodeError(
      new ZlibDecoder(),
      new FakeTarget(4, 4),
      [{ x: 0, y: 0, w: 5, h: 4 }],
      Uint8Array.from(u32(0)),
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toContain('Zlib rectangle 5x4 at (0, 0) lies outside');
  });
});
