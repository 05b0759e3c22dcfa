// Tests for the decoder table: every encoding number maps to a fresh decoder of the right kind.

import { describe, expect, it } from 'vitest';
import { CopyRectDecoder } from '../../src/decoders/copyrect';
import { HextileDecoder } from '../../src/decoders/hextile';
import {
  createDecoders,
  encodingCopyRect,
  encodingHextile,
  encodingRaw,
  encodingRRE,
  encodingTight,
  encodingTightPNG,
  encodingZlib,
  encodingZRLE,
} from '../../src/decoders/index';
import { RawDecoder } from '../../src/decoders/raw';
import { RREDecoder } from '../../src/decoders/rre';
import { TightDecoder } from '../../src/decoders/tight';
import { ZlibDecoder } from '../../src/decoders/zlib';
import { ZRLEDecoder } from '../../src/decoders/zrle';
import { ByteQueue } from '../../src/rfb/byte-queue';
import { DeflateStream, FakeTarget, UNTOUCHED, u32 } from './helpers';

describe('createDecoders', () => {
  it('maps the RFB encoding numbers to their decoders', () => {
    const d = createDecoders();
    expect([...d.keys()].sort((a, b) => a - b)).toEqual([-260, 0, 1, 2, 5, 6, 7, 16]);
    expect(d.get(encodingRaw)).toBeInstanceOf(RawDecoder);
    expect(d.get(encodingCopyRect)).toBeInstanceOf(CopyRectDecoder);
    expect(d.get(encodingRRE)).toBeInstanceOf(RREDecoder);
    expect(d.get(encodingHextile)).toBeInstanceOf(HextileDecoder);
    expect(d.get(encodingZlib)).toBeInstanceOf(ZlibDecoder);
    expect(d.get(encodingTight)).toBeInstanceOf(TightDecoder);
    expect(d.get(encodingZRLE)).toBeInstanceOf(ZRLEDecoder);
    expect(d.get(encodingTightPNG)).toBeInstanceOf(TightDecoder);
  });

  it('gives Tight and TightPNG their own state, and each call new decoders', () => {
    const d = createDecoders();
    expect(d.get(encodingTight)).not.toBe(d.get(encodingTightPNG));
    expect(createDecoders().get(encodingZlib)).not.toBe(d.get(encodingZlib));
    const q = new ByteQueue();
    q.push(Uint8Array.from([0xa0, 1, 0]));
    const target = new FakeTarget(2, 2);
    expect(d.get(encodingTightPNG)!.decodeRect(0, 0, 1, 1, q, target)).toBe(true);
    q.push(Uint8Array.from([0xa0]));
    expect(() => d.get(encodingTight)!.decodeRect(0, 0, 1, 1, q, target)).toThrow(
      'Tight: bad compression type 0xa',
    );
  });

  it('reset() leaves every decoder ready for a new connection mid-rectangle', async () => {
    const fresh = async (data: number[]): Promise<number[]> => {
      const z = await new DeflateStream().chunk(Uint8Array.from(data));
      return [...u32(z.length), ...z];
    };
    const valid = new Map<number, number[]>([
      [encodingRaw, [1, 2, 3, 0]],
      [encodingCopyRect, [0, 0, 0, 0]],
      [encodingRRE, [0, 0, 0, 0, 1, 2, 3, 0]],
      [encodingHextile, [2, 1, 2, 3, 0]],
      [encodingZlib, await fresh([1, 2, 3, 0])],
      [encodingTight, [0x80, 1, 2, 3]],
      [encodingZRLE, await fresh([1, 1, 2, 3])],
      [encodingTightPNG, [0x80, 1, 2, 3]],
    ]);
    for (const [encoding, decoder] of createDecoders()) {
      // Leave it in the middle of a rectangle (and, for zlib, a stream).
      const q = new ByteQueue();
      const tight = encoding === encodingTight || encoding === encodingTightPNG;
      q.push(Uint8Array.from(tight ? [0x90, 0x05] : [0x02, 0x00, 0x00]));
      expect(decoder.decodeRect(0, 0, 4, 4, q, new FakeTarget(4, 4))).toBe(false);
      decoder.reset?.();
      const target = new FakeTarget(4, 4);
      const q2 = new ByteQueue();
      q2.push(Uint8Array.from(valid.get(encoding)!));
      expect(decoder.decodeRect(0, 0, 1, 1, q2, target), `encoding ${encoding}`).toBe(true);
      const want = encoding === encodingCopyRect ? [...UNTOUCHED, 255] : [1, 2, 3, 255];
      expect(Array.from(target.rgba.subarray(0, 4)), `encoding ${encoding}`).toEqual(want);
    }
  });
});
