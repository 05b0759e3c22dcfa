// Client message writers: exact bytes for each message.

import { describe, expect, it } from 'vitest';
import {
  pixelFormatRgbx32,
  writeClientCutText,
  writeClientFence,
  writeClientInit,
  writeEnableContinuousUpdates,
  writeExtendedClipboardCaps,
  writeFramebufferUpdateRequest,
  writeKeyEvent,
  writePlainCredentials,
  writePointerEvent,
  writeProtocolVersion,
  writeQemuExtendedKeyEvent,
  writeSetDesktopSize,
  writeSetEncodings,
  writeSetPixelFormat,
} from '../../src/rfb/messages';

const bytes = (b: Uint8Array) => Array.from(b);

describe('message writers', () => {
  it('handshake messages', () => {
    expect(bytes(writeProtocolVersion(8))).toEqual([
      82, 70, 66, 32, 48, 48, 51, 46, 48, 48, 56, 10,
    ]);
    expect(bytes(writeProtocolVersion(3))).toEqual([
      82, 70, 66, 32, 48, 48, 51, 46, 48, 48, 51, 10,
    ]);
    expect(bytes(writeClientInit(true))).toEqual([1]);
    expect(bytes(writePlainCredentials(Uint8Array.of(117), Uint8Array.of(112, 119)))).toEqual([
      0, 0, 0, 1, 0, 0, 0, 2, 117, 112, 119,
    ]);
  });

  it('SetPixelFormat and SetEncodings', () => {
    expect(bytes(writeSetPixelFormat(pixelFormatRgbx32))).toEqual([
      0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0,
    ]);
    expect(bytes(writeSetEncodings([7, -223, 0xc0a1e5ce | 0]))).toEqual([
      2, 0, 0, 3, 0, 0, 0, 7, 255, 255, 255, 33, 0xc0, 0xa1, 0xe5, 0xce,
    ]);
  });

  it('update requests, continuous updates, fences', () => {
    expect(bytes(writeFramebufferUpdateRequest(true, 1, 2, 640, 480))).toEqual([
      3, 1, 0, 1, 0, 2, 2, 128, 1, 224,
    ]);
    expect(bytes(writeEnableContinuousUpdates(true, 0, 0, 300, 2))).toEqual([
      150, 1, 0, 0, 0, 0, 1, 44, 0, 2,
    ]);
    expect(bytes(writeClientFence(3, Uint8Array.of(9)))).toEqual([248, 0, 0, 0, 0, 0, 0, 3, 1, 9]);
  });

  it('input', () => {
    expect(bytes(writeKeyEvent(0xff0d, true))).toEqual([4, 1, 0, 0, 0, 0, 0xff, 0x0d]);
    expect(bytes(writeQemuExtendedKeyEvent(0x41, 0x1e, false))).toEqual([
      255, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 0, 0x1e,
    ]);
    expect(bytes(writePointerEvent(258, 3, 0b100))).toEqual([5, 4, 1, 2, 0, 3]);
  });

  it('clipboard', () => {
    expect(bytes(writeClientCutText('a\u00ff\u0100'))).toEqual([
      6, 0, 0, 0, 0, 0, 0, 3, 97, 255, 63,
    ]);
    expect(bytes(writeExtendedClipboardCaps(1 << 27, new Map([[1, 1024]])))).toEqual([
      6, 0, 0, 0, 0xff, 0xff, 0xff, 0xf8, 0x09, 0, 0, 1, 0, 0, 4, 0,
    ]);
  });

  it('SetDesktopSize', () => {
    const screen = { id: 1, x: 0, y: 0, width: 800, height: 600, flags: 0 };
    expect(bytes(writeSetDesktopSize(800, 600, [screen]))).toEqual([
      251, 0, 3, 32, 2, 88, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 3, 32, 2, 88, 0, 0, 0, 0,
    ]);
  });
});
