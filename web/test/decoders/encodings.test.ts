// Encoding numbers: one definition (rfb/constants) seen through decoders/encodings, and the name list parser.

import { describe, expect, it } from 'vitest';
import * as constants from '../../src/rfb/constants';
import {
  encodingNumbers,
  encodingRaw,
  encodingTightPNG,
  encodingZRLE,
  parseEncodingList,
} from '../../src/decoders/encodings';
import { createDecoders } from '../../src/decoders/index';

describe('encodings', () => {
  it('are the numbers of rfb/constants', () => {
    expect(encodingRaw).toBe(constants.encodingRaw);
    expect(encodingZRLE).toBe(16);
    expect(encodingTightPNG).toBe(-260);
  });

  it('every named encoding has a decoder, and every decoder a name', () => {
    const numbers = Object.values(encodingNumbers).sort((a, b) => a - b);
    expect([...createDecoders().keys()].sort((a, b) => a - b)).toEqual(numbers);
  });

  it('parses names (any case) and numbers in the order given', () => {
    expect(parseEncodingList('tight,CopyRect, zrle ,16,-260,')).toEqual([7, 1, 16, 16, -260]);
    expect(parseEncodingList('')).toEqual([]);
    expect(() => parseEncodingList('raw,jpeg')).toThrow('unknown encoding "jpeg"');
  });
});
