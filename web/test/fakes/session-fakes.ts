// Test doubles for an RfbSession: a recording transport, display and event sink, a stub Raw decoder, and a byte-feeding helper.

import type { Decoder } from '../../src/decoders/decoder';
import type { ByteQueue } from '../../src/rfb/byte-queue';
import type { DrawTarget } from '../../src/display/draw-target';
import { RfbSession } from '../../src/rfb/session';
import type { FramebufferDisplay, SessionEvents, SessionOptions } from '../../src/rfb/session';
import type { ServerIdentity } from '../../src/rfb/security/security';

/** Records everything sent; `take()` returns and clears it. */
export class RecordingTransport {
  sent: Uint8Array[] = [];
  closed = false;
  send(bytes: Uint8Array): void {
    this.sent.push(bytes.slice());
  }
  close(): void {
    this.closed = true;
  }
  /** All bytes sent since the last take(), concatenated. */
  take(): number[] {
    const all = this.sent.flatMap((b) => Array.from(b));
    this.sent = [];
    return all;
  }
}

/** A framebuffer that records operations instead of drawing. */
export class RecordingDisplay implements FramebufferDisplay {
  width = 0;
  height = 0;
  ops: string[] = [];
  resize(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.ops.push(`resize ${width}x${height}`);
  }
  fillRect(x: number, y: number, w: number, h: number, r: number, g: number, b: number): void {
    this.ops.push(`fill ${x},${y} ${w}x${h} ${r},${g},${b}`);
  }
  copyRect(sx: number, sy: number, x: number, y: number, w: number, h: number): void {
    this.ops.push(`copy ${sx},${sy} -> ${x},${y} ${w}x${h}`);
  }
  blitRgbx(x: number, y: number, w: number, h: number, pixels: Uint8Array, offset = 0): void {
    this.ops.push(
      `blit ${x},${y} ${w}x${h} ${Array.from(pixels.subarray(offset, offset + w * h * 4)).join(',')}`,
    );
  }
  drawImage(x: number, y: number, w: number, h: number, _data: Uint8Array, mime: string): void {
    this.ops.push(`image ${x},${y} ${w}x${h} ${mime}`);
  }
}

/** A resumable Raw decoder (32 bpp), enough to drive the engine without the real decoders. */
export class StubRawDecoder implements Decoder {
  decodeRect(
    x: number,
    y: number,
    w: number,
    h: number,
    q: ByteQueue,
    target: DrawTarget,
  ): boolean {
    const n = w * h * 4;
    if (q.length < n) return false;
    target.blitRgbx(x, y, w, h, q.readView(n));
    return true;
  }
}

export const stubDecoders = (): Map<number, Decoder> => new Map([[0, new StubRawDecoder()]]);

/** Records events as strings, plus the raw calls. */
export class RecordingEvents implements SessionEvents {
  log: string[] = [];
  identities: ServerIdentity[] = [];
  connect(): void {
    this.log.push('connect');
  }
  disconnect(clean: boolean, reason?: string): void {
    this.log.push(`disconnect clean=${clean}${reason ? ` ${reason}` : ''}`);
  }
  credentialsRequired(types: string[]): void {
    this.log.push(`credentialsrequired ${types.join(',')}`);
  }
  serverVerification(identity: ServerIdentity): void {
    this.identities.push(identity);
    this.log.push(`serververification ${identity.type} ${identity.bits}`);
  }
  securityFailure(status: number, reason?: string): void {
    this.log.push(`securityfailure ${status}${reason !== undefined ? ` ${reason}` : ''}`);
  }
  clipboard(text: string): void {
    this.log.push(`clipboard ${JSON.stringify(text)}`);
  }
  bell(): void {
    this.log.push('bell');
  }
  desktopName(name: string): void {
    this.log.push(`desktopname ${name}`);
  }
  capabilities(c: { power: boolean; resize: boolean }): void {
    this.log.push(`capabilities power=${c.power} resize=${c.resize}`);
  }
  resize(width: number, height: number): void {
    this.log.push(`resize ${width}x${height}`);
  }
  cursor(hotX: number, hotY: number, width: number, height: number, rgba: Uint8Array): void {
    this.log.push(`cursor ${hotX},${hotY} ${width}x${height} ${Array.from(rgba).join(',')}`);
  }
  ledState(state: number): void {
    this.log.push(`ledstate ${state}`);
  }
}

export interface Harness {
  session: RfbSession;
  transport: RecordingTransport;
  display: RecordingDisplay;
  events: RecordingEvents;
}

export function makeSession(options: SessionOptions = {}, decoders = stubDecoders()): Harness {
  const transport = new RecordingTransport();
  const display = new RecordingDisplay();
  const events = new RecordingEvents();
  const session = new RfbSession(transport, display, decoders, events, {
    generateRsaKey: null,
    ...options,
  });
  return { session, transport, display, events };
}

/** Feeds bytes to the session in chunks of `chunk` bytes (Infinity: all at once). */
export function feed(session: RfbSession, bytes: ArrayLike<number>, chunk: number): void {
  const all = Uint8Array.from(bytes as ArrayLike<number>);
  if (!Number.isFinite(chunk)) {
    session.receive(all);
    return;
  }
  for (let i = 0; i < all.length; i += chunk) session.receive(all.subarray(i, i + chunk));
}

/** The chunk sizes every parser test runs with. */
export const chunkSizes = [Infinity, 7, 3, 1];

// Byte builders for scripted server messages.
export const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));
export const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];
export const u32 = (n: number): number[] => [
  (n >>> 24) & 0xff,
  (n >>> 16) & 0xff,
  (n >>> 8) & 0xff,
  n & 0xff,
];
export const s32 = (n: number): number[] => u32(n >>> 0);

/** A ServerInit with the server's usual 32 bpp format. */
export function serverInit(width: number, height: number, name: string): number[] {
  const nameBytes = Array.from(new TextEncoder().encode(name));
  return [
    ...u16(width),
    ...u16(height),
    32,
    24,
    0,
    1,
    ...u16(255),
    ...u16(255),
    ...u16(255),
    16,
    8,
    0,
    0,
    0,
    0,
    ...u32(nameBytes.length),
    ...nameBytes,
  ];
}

/** A rectangle header. */
export const rect = (x: number, y: number, w: number, h: number, encoding: number): number[] => [
  ...u16(x),
  ...u16(y),
  ...u16(w),
  ...u16(h),
  ...s32(encoding),
];
