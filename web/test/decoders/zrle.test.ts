// Tests for the ZRLE decoder: every subencoding, one stream across rectangles, every split, and malformed tiles.

import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/decoders/decoder';
import { ZRLEDecoder } from '../../src/decoders/zrle';
import { encodeZRLE, zrleTiles } from './encoders';
import type { ZrleMode } from './encoders';
import {
  DeflateStream,
  FakeTarget,
  Model,
  concat,
  decodeError,
  expectDecodesInEverySplit,
  cycleImage,
  makeImage,
  noiseImage,
  paletteImage,
  u32,
} from './helpers';

const modes: ZrleMode[] = ['raw', 'solid', 'packed', 'plainRle', 'paletteRle'];

async function zrleRect(tiles: number[]): Promise<Uint8Array> {
  const z = await new DeflateStream().chunk(Uint8Array.from(tiles));
  return concat(u32(z.length), z);
}

function errorOf(data: Uint8Array, w = 4, h = 4): Error {
  return decodeError(new ZRLEDecoder(), new FakeTarget(70, 70), [{ x: 0, y: 0, w, h }], data);
}

describe('ZRLEDecoder', () => {
  it('decodes every subencoding, with 1, 2 and 4 bit packing, in every split', async () => {
    const stream = new DeflateStream();
    // 2, 3, 4, 5 and 16 colour tiles for the packed widths; a solid tile; odd widths for row padding.
    const tiles = [
      cycleImage(13, 9, 2, 1),
      cycleImage(13, 9, 3, 2),
      cycleImage(11, 5, 4, 3),
      cycleImage(11, 5, 5, 4),
      cycleImage(9, 7, 16, 5),
      paletteImage(12, 6, 6, 7),
      makeImage(10, 10, () => 0x336699),
      noiseImage(6, 5, 6),
    ];
    const model = new Model(40, 40);
    const rects: { x: number; y: number; w: number; h: number }[] = [];
    const parts: Uint8Array[] = [];
    let x = 0;
    let y = 0;
    for (const [i, img] of tiles.entries()) {
      for (const mode of modes) {
        if (x + img.w > 40) {
          x = 0;
          y += 10;
          if (y + 10 > 40) y = 0;
        }
        model.put(x, y, img);
        rects.push({ x, y, w: img.w, h: img.h });
        parts.push(await encodeZRLE(img, stream, () => mode));
        x += img.w;
      }
      expect(i).toBeLessThan(tiles.length);
    }
    const data = concat(...parts);
    expectDecodesInEverySplit(() => new ZRLEDecoder(), model, rects, data, model.rgba, 120);
  });

  it('decodes a multi-tile rectangle with partial edge tiles and long runs', async () => {
    const img = makeImage(150, 70, (x, y) =>
      y < 40 ? 0x202020 : x < 100 ? 0xffcc00 : ((x * 31) ^ (y * 17)) & 0xffffff,
    );
    const model = new Model(160, 80);
    model.put(5, 6, img);
    const data = await encodeZRLE(img, new DeflateStream(), (t) => modes[t % modes.length]);
    expectDecodesInEverySplit(
      () => new ZRLEDecoder(),
      model,
      [{ x: 5, y: 6, w: 150, h: 70 }],
      data,
      model.rgba,
      60,
    );
  });

  it('rejects an unused subencoding', async () => {
    for (const sub of [17, 127, 129]) {
      const e = errorOf(await zrleRect([sub, 0, 0, 0]));
      expect(e).toBeInstanceOf(ProtocolError);
      expect(e.message).toBe(`ZRLE: bad subencoding ${sub}`);
    }
  });

  it('rejects a palette index out of range', async () => {
    // Palette of 3 (2-bit packing), index 3 in the first pixel.
    const e = errorOf(await zrleRect([3, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0xc0, 0, 0, 0]));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('ZRLE: palette index 3 out of range for a palette of 3');
    const e2 = errorOf(await zrleRect([130, 1, 1, 1, 2, 2, 2, 5]));
    expect(e2.message).toBe('ZRLE: palette index 5 out of range for a palette of 2');
  });

  it('rejects a run longer than its tile', async () => {
    const e = errorOf(await zrleRect([128, 1, 2, 3, 16]));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('ZRLE: run of 17 pixels overflows its 4x4 tile');
  });

  it('rejects tile data that ends early', async () => {
    const e = errorOf(await zrleRect([0, 1, 2, 3]));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('ZRLE: tile data ends early (4 bytes inflated)');
  });

  it('rejects truncated zlib data', async () => {
    const full = await new DeflateStream().chunk(zrleTiles(noiseImage(4, 4, 1), () => 'raw'));
    const z = full.subarray(0, 20);
    const e = errorOf(concat(u32(z.length), z));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toMatch(/^ZRLE: tile data ends early/);
  });

  it('rejects corrupt zlib data', () => {
    const z = Uint8Array.from([0x78, 0x9c, 0xff, 0xff, 0xff, 0xff]);
    const e = errorOf(concat(u32(z.length), z));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toMatch(/^ZRLE: corrupt zlib data/);
  });

  it('rejects data that inflates past the rectangle, without growing past the limit', async () => {
    // A 4x4 rectangle may inflate to 4*4*4 + 1 + 127*3 = 446 bytes.
    const z = await new DeflateStream().chunk(new Uint8Array(100000));
    const e = errorOf(concat(u32(z.length), z));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('ZRLE: zlib data inflates to more than 446 bytes');
    const z2 = await new DeflateStream().chunk(new Uint8Array(447));
    expect(errorOf(concat(u32(z2.length), z2)).message).toBe(
      'ZRLE: zlib data inflates to more than 446 bytes',
    );
  });

  it('ignores inflated bytes after the last tile', async () => {
    const data = await zrleRect([1, 9, 8, 7, 0xee, 0xee]);
    const model = new Model(70, 70);
    model.put(
      0,
      0,
      makeImage(4, 4, () => 0x090807),
    );
    expectDecodesInEverySplit(
      () => new ZRLEDecoder(),
      model,
      [{ x: 0, y: 0, w: 4, h: 4 }],
      data,
      model.rgba,
    );
  });

  it('rejects an oversized length before reading the data', () => {
    const e = errorOf(Uint8Array.from(u32(0x10000000)));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toBe('ZRLE: compressed length 268435456 is too large for a 4x4 rectangle');
  });

  it('rejects a rectangle outside the framebuffer', () => {
    const e = errorOf(Uint8Array.from(u32(0)), 71, 1);
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toContain('ZRLE rectangle 71x1 at (0, 0) lies outside');
  });
});
