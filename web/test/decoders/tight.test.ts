// Tests for the Tight and TightPNG decoders: fill, images, copy/palette/gradient filters on four streams with resets, every split, malformed data.

import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/decoders/decoder';
import { TIGHT_MAX_COMPACT_LENGTH, TightDecoder } from '../../src/decoders/tight';
import { ByteQueue } from '../../src/rfb/byte-queue';
import { TightEncoder, compactLength, gradientFilter } from './encoders';
import {
  DeflateStream,
  FakeTarget,
  Model,
  concat,
  cycleImage,
  decodeError,
  expectDecodesInEverySplit,
  feed,
  gradientImage,
  makeImage,
  noiseImage,
  paletteImage,
  splits,
} from './helpers';

const rect = (x: number, y: number, w: number, h: number) => ({ x, y, w, h });

function errorOf(data: Uint8Array, w = 4, h = 4, png = false): Error {
  return decodeError(new TightDecoder(png), new FakeTarget(3000, 8), [rect(0, 0, w, h)], data);
}

describe('TightDecoder', () => {
  it('decodes fill, copy, palette and gradient rectangles over four streams with resets, in every split', async () => {
    const enc = new TightEncoder();
    const model = new Model(64, 48);
    const rects: { x: number; y: number; w: number; h: number }[] = [];
    const parts: Uint8Array[] = [];
    const add = async (
      x: number,
      y: number,
      img: { w: number; h: number; rgb: Uint8Array },
      mode: 'fill' | 'copy' | 'palette' | 'gradient',
      opts = {},
    ): Promise<void> => {
      model.put(x, y, img);
      rects.push(rect(x, y, img.w, img.h));
      parts.push(await enc.encode(img, mode, opts));
    };
    await add(
      0,
      0,
      makeImage(64, 48, () => 0x406080),
      'fill',
    );
    await add(1, 1, noiseImage(9, 7, 1), 'copy', { stream: 0 });
    await add(2, 9, noiseImage(3, 1, 2), 'copy', { stream: 0, explicitCopy: true }); // 9 bytes: sent uncompressed
    await add(12, 1, cycleImage(13, 5, 2, 3), 'palette', { stream: 1 }); // 1 bit per pixel, padded rows
    await add(12, 7, cycleImage(5, 2, 2, 4), 'palette', { stream: 1 }); // 2 bytes: uncompressed
    await add(27, 1, cycleImage(10, 8, 7, 5), 'palette', { stream: 2 });
    await add(27, 10, cycleImage(17, 3, 200, 6), 'palette', { stream: 2 });
    await add(40, 1, gradientImage(20, 12, 7), 'gradient', { stream: 3 });
    await add(40, 14, noiseImage(11, 6, 8), 'gradient', { stream: 3 }); // wraps modulo 256
    await add(1, 20, noiseImage(9, 7, 1), 'copy', { stream: 0 }); // repeats: uses stream 0's dictionary
    await add(12, 20, paletteImage(16, 9, 3, 9), 'palette', { stream: 1, reset: 0b0011 });
    await add(30, 20, noiseImage(8, 8, 10), 'copy', { stream: 0 });
    await add(
      0,
      40,
      makeImage(64, 8, () => 0xfedcba),
      'fill',
      { reset: 0b1100 },
    );
    await add(40, 30, gradientImage(14, 9, 11), 'gradient', { stream: 3 });
    await add(2, 30, noiseImage(1, 1, 12), 'copy', { stream: 2 });
    const data = concat(...parts);
    const n = expectDecodesInEverySplit(
      () => new TightDecoder(),
      model,
      rects,
      data,
      model.rgba,
      80,
    );
    expect(n).toBeGreaterThan(80);
  });

  it('implements the gradient prediction of the spec exactly', async () => {
    // Saturating predictions (left + above - aboveLeft outside 0..255) on purpose.
    const img = makeImage(6, 4, (x, y) => ((x + y) % 2 ? 0xff00ff : 0x00ff00) ^ (x * 0x010101));
    expect(gradientFilter(img).length).toBe(72);
    const data = await new TightEncoder().encode(img, 'gradient');
    const model = new Model(6, 4);
    model.put(0, 0, img);
    expectDecodesInEverySplit(
      () => new TightDecoder(),
      model,
      [rect(0, 0, 6, 4)],
      data,
      model.rgba,
    );
  });

  it('passes JPEG data to drawImage whole, in every split, keeping order with other rectangles', async () => {
    const enc = new TightEncoder();
    const jpeg = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 255);
    const small = Uint8Array.from([0xff, 0xd8, 0xff]);
    const data = concat(
      enc.image(jpeg),
      await enc.encode(noiseImage(4, 4, 1), 'copy'),
      enc.image(small, false, 1),
    );
    for (const sizes of splits(data.length)) {
      const target = new FakeTarget(20, 20);
      feed(
        new TightDecoder(),
        target,
        [rect(1, 2, 10, 8), rect(0, 0, 4, 4), rect(5, 5, 3, 1)],
        data,
        sizes,
      );
      expect(target.images).toEqual([
        { x: 1, y: 2, w: 10, h: 8, data: jpeg, mime: 'image/jpeg' },
        { x: 5, y: 5, w: 3, h: 1, data: small, mime: 'image/jpeg' },
      ]);
    }
  });

  it('TightPNG passes PNG data and fills', () => {
    const enc = new TightEncoder();
    const png = Uint8Array.from({ length: 200 }, (_, i) => i & 255);
    const data = concat(enc.image(png, true), Uint8Array.from([0x80, 1, 2, 3]));
    for (const sizes of splits(data.length)) {
      const target = new FakeTarget(20, 20);
      feed(new TightDecoder(true), target, [rect(0, 0, 20, 20), rect(2, 3, 4, 5)], data, sizes);
      expect(target.images).toEqual([{ x: 0, y: 0, w: 20, h: 20, data: png, mime: 'image/png' }]);
      expect(Array.from(target.rgba.subarray((3 * 20 + 2) * 4, (3 * 20 + 2) * 4 + 4))).toEqual([
        1, 2, 3, 255,
      ]);
    }
  });

  it('reads 1, 2 and 3 byte compact lengths', () => {
    for (const n of [0, 127, 128, 16383, 16384, 70000]) {
      const q = new ByteQueue();
      q.push(concat([0x90], compactLength(n), new Uint8Array(n)));
      const target = new FakeTarget(4, 4);
      expect(new TightDecoder().decodeRect(0, 0, 4, 4, q, target)).toBe(true);
      expect(target.images[0].data.length).toBe(n);
    }
    expect(compactLength(TIGHT_MAX_COMPACT_LENGTH)).toEqual([0xff, 0xff, 0xff]);
  });

  it('resets a stream when told to, even for a fill rectangle', async () => {
    const enc = new TightEncoder();
    const a = noiseImage(8, 8, 1);
    const first = await enc.encode(a, 'copy');
    const fill = await enc.encode(
      makeImage(2, 2, () => 0x010101),
      'fill',
      { reset: 1 },
    );
    const again = await enc.encode(a, 'copy'); // a fresh stream after the reset
    const model = new Model(10, 10);
    model.put(0, 0, a);
    model.put(
      8,
      8,
      makeImage(2, 2, () => 0x010101),
    );
    model.put(1, 1, a);
    expectDecodesInEverySplit(
      () => new TightDecoder(),
      model,
      [rect(0, 0, 8, 8), rect(8, 8, 2, 2), rect(1, 1, 8, 8)],
      concat(first, fill, again),
      model.rgba,
      100,
    );
  });

  it('rejects an unknown compression type or filter', () => {
    for (const ctl of [0xb0, 0xc0, 0xf0]) {
      expect(errorOf(Uint8Array.from([ctl])).message).toBe(
        `Tight: bad compression type 0x${(ctl >> 4).toString(16)}`,
      );
    }
    expect(errorOf(Uint8Array.from([0xa0])).message).toBe('Tight: bad compression type 0xa');
    const e = errorOf(Uint8Array.from([0x40, 3]));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('Tight: bad filter id 3');
  });

  it('TightPNG rejects basic compression', () => {
    const e = errorOf(Uint8Array.from([0x00]), 4, 4, true);
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('TightPNG: basic compression is not allowed');
  });

  it('rejects palette indices out of range', async () => {
    // 3 colours, 16 one-byte indices (compressed), the last one 3.
    const idx = Uint8Array.from([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 3]);
    const z = await new DeflateStream().chunk(idx);
    const e = errorOf(concat([0x40, 1, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3], compactLength(z.length), z));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('Tight: palette index 3 out of range for a palette of 3');
    // One colour, a set bit in 1-bit data (2x1 pixels: 1 byte, sent uncompressed).
    const e1 = decodeError(
      new TightDecoder(),
      new FakeTarget(4, 4),
      [rect(0, 0, 2, 1)],
      Uint8Array.from([0x40, 1, 0, 9, 9, 9, 0x40]),
    );
    expect(e1.message).toBe('Tight: palette index 1 out of range for a palette of 1');
  });

  it('rejects a width over 2048 for basic compression, but fills any width', () => {
    expect(errorOf(Uint8Array.from([0x00]), 2049, 1).message).toBe(
      'Tight: rectangle width 2049 exceeds 2048',
    );
    const q = new ByteQueue();
    q.push(Uint8Array.from([0x80, 1, 2, 3]));
    expect(new TightDecoder().decodeRect(0, 0, 2900, 1, q, new FakeTarget(3000, 1))).toBe(true);
  });

  it('rejects truncated, oversized, overlong and corrupt zlib data', async () => {
    const img = noiseImage(4, 4, 1); // 48 bytes of TPIXELs
    const z = await new DeflateStream().chunk(img.rgb);
    const truncated = z.subarray(0, 20);
    expect(errorOf(concat([0x00], compactLength(truncated.length), truncated)).message).toMatch(
      /^Tight: truncated zlib data \(\d+ of 48 bytes\)$/,
    );
    const long = await new DeflateStream().chunk(concat(img.rgb, [1]));
    expect(errorOf(concat([0x00], compactLength(long.length), long)).message).toBe(
      'Tight: zlib data inflates to more than 48 bytes',
    );
    expect(errorOf(concat([0x00], compactLength(5000))).message).toBe(
      'Tight: compressed length 5000 is too large for 48 bytes of pixel data',
    );
    const corrupt = Uint8Array.from([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff]);
    expect(errorOf(concat([0x20], compactLength(corrupt.length), corrupt)).message).toMatch(
      /^Tight stream 2: corrupt zlib data \(.+\)$/,
    );
  });

  it('rejects a rectangle outside the framebuffer', () => {
    const e = decodeError(
      new TightDecoder(),
      new FakeTarget(4, 4),
      [rect(2, 2, 3, 3)],
      Uint8Array.from([0x80, 0, 0, 0]),
    );
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toContain('Tight rectangle 3x3 at (2, 2) lies outside');
  });
});
