// Stateless writers for client-to-server RFB messages: each returns the exact bytes to send.

import {
  extendedClipboardActionCaps,
  msgClientCutText,
  msgClientFence,
  msgEnableContinuousUpdates,
  msgFramebufferUpdateRequest,
  msgKeyEvent,
  msgPointerEvent,
  msgQemuClient,
  msgSetDesktopSize,
  msgSetEncodings,
  msgSetPixelFormat,
  msgXvp,
  pointerEventExtendedMarker,
  qemuSubmsgExtendedKeyEvent,
  xvpVersion,
} from './constants';

/** One head of a multi-screen layout (ExtendedDesktopSize / SetDesktopSize SCREEN). */
export interface Screen {
  id: number;
  x: number;
  y: number;
  width: number;
  height: number;
  flags: number;
}

/** The RFB PIXEL_FORMAT structure. */
export interface PixelFormat {
  bitsPerPixel: number;
  depth: number;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

/**
 * The only format the client asks for: 32 bpp true colour, little-endian,
 * red at shift 0, so pixels arrive as the bytes R, G, B, X (see DrawTarget).
 */
export const pixelFormatRgbx32: PixelFormat = {
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: false,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 0,
  greenShift: 8,
  blueShift: 16,
};

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** "RFB 003.00x\n" for a minor version of 3, 7 or 8. */
export function writeProtocolVersion(minor: 3 | 7 | 8): Uint8Array {
  return latin1(`RFB 003.00${minor}\n`);
}

/** The one-byte security type choice (3.7 and later) or any other single U8. */
export function writeU8(value: number): Uint8Array {
  return Uint8Array.of(value & 0xff);
}

/** A big-endian U32, as the Tight and VeNCrypt choices use. */
export function writeU32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

/** ClientInit: the shared flag. */
export function writeClientInit(shared: boolean): Uint8Array {
  return Uint8Array.of(shared ? 1 : 0);
}

/** Username and password, each preceded by its U32 length (VeNCrypt Plain). */
export function writePlainCredentials(username: Uint8Array, password: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + username.length + password.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, username.length);
  v.setUint32(4, password.length);
  out.set(username, 8);
  out.set(password, 8 + username.length);
  return out;
}

export function writeSetPixelFormat(pf: PixelFormat): Uint8Array {
  const out = new Uint8Array(20);
  const v = new DataView(out.buffer);
  out[0] = msgSetPixelFormat;
  out[4] = pf.bitsPerPixel;
  out[5] = pf.depth;
  out[6] = pf.bigEndian ? 1 : 0;
  out[7] = pf.trueColour ? 1 : 0;
  v.setUint16(8, pf.redMax);
  v.setUint16(10, pf.greenMax);
  v.setUint16(12, pf.blueMax);
  out[14] = pf.redShift;
  out[15] = pf.greenShift;
  out[16] = pf.blueShift;
  return out;
}

export function writeSetEncodings(encodings: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * encodings.length);
  const v = new DataView(out.buffer);
  out[0] = msgSetEncodings;
  v.setUint16(2, encodings.length);
  encodings.forEach((e, i) => v.setInt32(4 + 4 * i, e | 0));
  return out;
}

/** The layout both FramebufferUpdateRequest and EnableContinuousUpdates use: type, flag, rectangle. */
function writeFlagAndRect(
  type: number,
  flag: boolean,
  x: number,
  y: number,
  width: number,
  height: number,
): Uint8Array {
  const out = new Uint8Array(10);
  const v = new DataView(out.buffer);
  out[0] = type;
  out[1] = flag ? 1 : 0;
  v.setUint16(2, x);
  v.setUint16(4, y);
  v.setUint16(6, width);
  v.setUint16(8, height);
  return out;
}

export function writeFramebufferUpdateRequest(
  incremental: boolean,
  x: number,
  y: number,
  width: number,
  height: number,
): Uint8Array {
  return writeFlagAndRect(msgFramebufferUpdateRequest, incremental, x, y, width, height);
}

export function writeKeyEvent(keysym: number, down: boolean): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = msgKeyEvent;
  out[1] = down ? 1 : 0;
  new DataView(out.buffer).setUint32(4, keysym >>> 0);
  return out;
}

/** QEMU Extended Key Event: keysym plus the XT scancode (0xe0 prefix folded into bit 7). */
export function writeQemuExtendedKeyEvent(
  keysym: number,
  keycode: number,
  down: boolean,
): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  out[0] = msgQemuClient;
  out[1] = qemuSubmsgExtendedKeyEvent;
  v.setUint16(2, down ? 1 : 0);
  v.setUint32(4, keysym >>> 0);
  v.setUint32(8, keycode >>> 0);
  return out;
}

/**
 * PointerEvent. `buttonMask` has button n at bit n-1; this form carries buttons 1-8 (bit 7 is
 * back), higher ones are dropped. Once ExtendedMouseButtons is on, bit 7 must be clear (it is the
 * marker of the extended form).
 */
export function writePointerEvent(x: number, y: number, buttonMask: number): Uint8Array {
  const out = new Uint8Array(6);
  const v = new DataView(out.buffer);
  out[0] = msgPointerEvent;
  out[1] = buttonMask & 0xff;
  v.setUint16(2, x);
  v.setUint16(4, y);
  return out;
}

/**
 * The extended PointerEvent of the ExtendedMouseButtons pseudo-encoding, for a server that
 * confirmed it: the marker bit with buttons 1-7, then a byte with buttons 8-15 (bit 0 back,
 * bit 1 forward). `buttonMask` has button n at bit n-1, as for writePointerEvent.
 */
export function writeExtendedPointerEvent(x: number, y: number, buttonMask: number): Uint8Array {
  const out = new Uint8Array(7);
  const v = new DataView(out.buffer);
  out[0] = msgPointerEvent;
  out[1] = pointerEventExtendedMarker | (buttonMask & 0x7f);
  v.setUint16(2, x);
  v.setUint16(4, y);
  out[6] = (buttonMask >> 7) & 0xff;
  return out;
}

/** ClientCutText with Latin-1 text; characters outside Latin-1 become '?'. */
export function writeClientCutText(text: string): Uint8Array {
  const codes = Array.from(text, (c) => {
    const cp = c.codePointAt(0) ?? 0x3f;
    return cp > 0xff ? 0x3f : cp;
  });
  const out = new Uint8Array(8 + codes.length);
  out[0] = msgClientCutText;
  new DataView(out.buffer).setUint32(4, codes.length);
  out.set(codes, 8);
  return out;
}

/**
 * An extended ClientCutText (negative length) with the given flags and
 * payload: sizes for caps, the zlib stream for provide, nothing otherwise.
 */
export function writeExtendedClipboard(
  flags: number,
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const out = new Uint8Array(12 + payload.length);
  const v = new DataView(out.buffer);
  out[0] = msgClientCutText;
  v.setInt32(4, -(4 + payload.length));
  v.setUint32(8, flags >>> 0);
  out.set(payload, 12);
  return out;
}

/** Extended clipboard caps: `formats` maps each format flag to its maximum unsolicited size. */
export function writeExtendedClipboardCaps(
  actions: number,
  formats: ReadonlyMap<number, number>,
): Uint8Array {
  let flags = actions | extendedClipboardActionCaps;
  const sorted = [...formats.keys()].sort((a, b) => a - b);
  const sizes = new Uint8Array(4 * sorted.length);
  sorted.forEach((f, i) => {
    flags |= f;
    new DataView(sizes.buffer).setUint32(4 * i, formats.get(f)! >>> 0);
  });
  return writeExtendedClipboard(flags, sizes);
}

export function writeEnableContinuousUpdates(
  enable: boolean,
  x: number,
  y: number,
  width: number,
  height: number,
): Uint8Array {
  return writeFlagAndRect(msgEnableContinuousUpdates, enable, x, y, width, height);
}

export function writeClientFence(flags: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  out[0] = msgClientFence;
  new DataView(out.buffer).setUint32(4, flags >>> 0);
  out[8] = payload.length;
  out.set(payload, 9);
  return out;
}

export function writeSetDesktopSize(
  width: number,
  height: number,
  screens: readonly Screen[],
): Uint8Array {
  const out = new Uint8Array(8 + 16 * screens.length);
  const v = new DataView(out.buffer);
  out[0] = msgSetDesktopSize;
  v.setUint16(2, width);
  v.setUint16(4, height);
  out[6] = screens.length;
  screens.forEach((s, i) => {
    const o = 8 + 16 * i;
    v.setUint32(o, s.id >>> 0);
    v.setUint16(o + 4, s.x);
    v.setUint16(o + 6, s.y);
    v.setUint16(o + 8, s.width);
    v.setUint16(o + 10, s.height);
    v.setUint32(o + 12, s.flags >>> 0);
  });
  return out;
}

/** XVP: asks the server for a power action (xvpShutdown, xvpReboot or xvpReset). */
export function writeXvp(code: number): Uint8Array {
  return Uint8Array.of(msgXvp, 0, xvpVersion, code);
}
