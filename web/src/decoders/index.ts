// The table of rectangle decoders, keyed by RFB encoding number.

import { CopyRectDecoder } from './copyrect';
import type { Decoder } from './decoder';
import {
  encodingCopyRect,
  encodingHextile,
  encodingRaw,
  encodingRRE,
  encodingTight,
  encodingTightPNG,
  encodingZlib,
  encodingZRLE,
} from './encodings';
import { HextileDecoder } from './hextile';
import { RawDecoder } from './raw';
import { RREDecoder } from './rre';
import { TightDecoder } from './tight';
import { ZlibDecoder } from './zlib';
import { ZRLEDecoder } from './zrle';

export { ProtocolError } from './decoder';
export type { Decoder } from './decoder';
export * from './encodings';

/** One fresh decoder per supported encoding, with its own per-connection state (zlib streams). */
export function createDecoders(): Map<number, Decoder> {
  return new Map<number, Decoder>([
    [encodingRaw, new RawDecoder()],
    [encodingCopyRect, new CopyRectDecoder()],
    [encodingRRE, new RREDecoder()],
    [encodingHextile, new HextileDecoder()],
    [encodingZlib, new ZlibDecoder()],
    [encodingTight, new TightDecoder()],
    [encodingZRLE, new ZRLEDecoder()],
    [encodingTightPNG, new TightDecoder(true)],
  ]);
}
