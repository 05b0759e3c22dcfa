// Reads server-to-client messages from the ByteQueue, resumable at any byte, and dispatches them.

import type { Decoder } from '../decoders/decoder';
import { ProtocolError } from '../decoders/decoder';
import type { DrawTarget } from '../display/draw-target';
import type { ByteQueue } from './byte-queue';
import {
  maxCursorSide,
  maxCutTextLength,
  maxDesktopNameLength,
  maxFencePayload,
  maxFramebufferSide,
  msgBell,
  msgEndOfContinuousUpdates,
  msgFramebufferUpdate,
  msgServerCutText,
  msgServerFence,
  msgSetColourMapEntries,
  msgXvp,
  pseudoEncodingCursor,
  pseudoEncodingDesktopName,
  pseudoEncodingDesktopSize,
  pseudoEncodingExtendedDesktopSize,
  pseudoEncodingExtendedMouseButtons,
  pseudoEncodingLastRect,
  pseudoEncodingQemuExtendedKeyEvent,
  pseudoEncodingQemuLedState,
} from './constants';
import type { MessageHandler } from './message-handler';
import type { Screen } from './messages';
import { latin1String } from './security/security';

interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
  encoding: number;
}

const utf8 = new TextDecoder('utf-8');

/** Converts a Cursor pseudo-rectangle (RGBX pixels then a 1-bit mask) to RGBA. */
export function cursorToRgba(
  pixels: Uint8Array,
  mask: Uint8Array,
  width: number,
  height: number,
): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  const stride = (width + 7) >> 3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      rgba[i] = pixels[i];
      rgba[i + 1] = pixels[i + 1];
      rgba[i + 2] = pixels[i + 2];
      rgba[i + 3] = (mask[y * stride + (x >> 3)] << (x & 7)) & 0x80 ? 255 : 0;
    }
  }
  return rgba;
}

export class MessageReader {
  /** Rectangles left in the current FramebufferUpdate; 0 between messages. */
  private rectsLeft = 0;
  private inUpdate = false;
  private rect: Rect | null = null;
  private readonly counts = new Map<number, number>();

  constructor(
    private readonly handler: MessageHandler,
    private readonly decoders: ReadonlyMap<number, Decoder>,
    private readonly target: DrawTarget,
  ) {}

  /** Rectangles read so far per encoding number (LastRect is not counted). */
  get rectangleCounts(): ReadonlyMap<number, number> {
    return this.counts;
  }

  /**
   * Reads and dispatches every complete message in `q` (and as much of a
   * FramebufferUpdate as the decoders can take). Returns when more bytes are
   * needed. Throws ProtocolError on malformed input.
   */
  process(q: ByteQueue): void {
    for (;;) {
      if (this.inUpdate) {
        if (!this.readUpdate(q)) return;
      } else if (q.length < 1 || !this.readMessage(q)) {
        return;
      }
      if (!this.inUpdate && this.handler.shouldPause?.()) return;
    }
  }

  /** Reads one whole non-update message, or starts an update. False if bytes are missing. */
  private readMessage(q: ByteQueue): boolean {
    const type = q.peekU8();
    switch (type) {
      case msgFramebufferUpdate:
        if (q.length < 4) return false;
        q.skip(2);
        this.rectsLeft = q.readU16();
        this.inUpdate = true;
        return true;
      case msgSetColourMapEntries: {
        // Never expected with true colour; skipped whole so the stream stays in step.
        if (q.length < 6) return false;
        const count = q.peekU16(4);
        if (q.length < 6 + 6 * count) return false;
        q.skip(6 + 6 * count);
        return true;
      }
      case msgBell:
        q.skip(1);
        this.handler.bell();
        return true;
      case msgServerCutText: {
        if (q.length < 8) return false;
        const length = q.peekU32(4) | 0; // signed once the extended clipboard is on
        const size = Math.abs(length);
        if (size > maxCutTextLength)
          throw new ProtocolError(`clipboard message too long (${size} bytes)`);
        if (length < 0 && size < 4)
          throw new ProtocolError('extended clipboard message without flags');
        if (q.length < 8 + size) return false;
        q.skip(8);
        if (length >= 0) {
          this.handler.serverCutText(latin1String(q.readView(size)));
        } else {
          const flags = q.readU32();
          this.handler.extendedClipboard(flags, q.readBytes(size - 4));
        }
        return true;
      }
      case msgEndOfContinuousUpdates:
        q.skip(1);
        this.handler.endOfContinuousUpdates();
        return true;
      case msgServerFence: {
        if (q.length < 9) return false;
        const length = q.peekU8(8);
        if (length > maxFencePayload)
          throw new ProtocolError(`fence payload too long (${length} bytes)`);
        if (q.length < 9 + length) return false;
        q.skip(4);
        const flags = q.readU32();
        q.skip(1);
        this.handler.serverFence(flags, q.readBytes(length));
        return true;
      }
      case msgXvp: {
        if (q.length < 4) return false;
        q.skip(2);
        const version = q.readU8();
        this.handler.xvp?.(version, q.readU8());
        return true;
      }
      default:
        throw new ProtocolError(`unknown server message type ${type}`);
    }
  }

  /** Continues the current FramebufferUpdate. False if bytes are missing. */
  private readUpdate(q: ByteQueue): boolean {
    while (this.rectsLeft > 0) {
      if (this.rect === null) {
        if (q.length < 12) return false;
        this.rect = {
          x: q.readU16(),
          y: q.readU16(),
          width: q.readU16(),
          height: q.readU16(),
          encoding: q.readS32(),
        };
      }
      const r = this.rect;
      if (r.encoding === pseudoEncodingLastRect) {
        this.rectsLeft = 0;
        break;
      }
      if (!this.readRect(r, q)) return false;
      this.counts.set(r.encoding, (this.counts.get(r.encoding) ?? 0) + 1);
      this.rect = null;
      this.rectsLeft--;
    }
    this.rect = null;
    this.inUpdate = false;
    this.handler.framebufferUpdateEnd();
    return true;
  }

  private readRect(r: Rect, q: ByteQueue): boolean {
    switch (r.encoding) {
      case pseudoEncodingDesktopSize:
        checkFramebufferSize(r.width, r.height);
        this.handler.desktopSize(r.width, r.height);
        return true;
      case pseudoEncodingExtendedDesktopSize: {
        if (q.length < 4) return false;
        const count = q.peekU8();
        if (q.length < 4 + 16 * count) return false;
        q.skip(4);
        const screens: Screen[] = [];
        for (let i = 0; i < count; i++) {
          screens.push({
            id: q.readU32(),
            x: q.readU16(),
            y: q.readU16(),
            width: q.readU16(),
            height: q.readU16(),
            flags: q.readU32(),
          });
        }
        // A refused request (reason 1, status != 0) carries undefined sizes.
        if (!(r.x === 1 && r.y !== 0)) checkFramebufferSize(r.width, r.height);
        this.handler.extendedDesktopSize(r.x, r.y, r.width, r.height, screens);
        return true;
      }
      case pseudoEncodingCursor: {
        if (r.width > maxCursorSide || r.height > maxCursorSide) {
          throw new ProtocolError(`cursor too large (${r.width}x${r.height})`);
        }
        const pixelBytes = r.width * r.height * 4;
        const maskBytes = ((r.width + 7) >> 3) * r.height;
        if (q.length < pixelBytes + maskBytes) return false;
        const pixels = q.readView(pixelBytes);
        const rgba = cursorToRgba(pixels, q.readView(maskBytes), r.width, r.height);
        this.handler.cursor(r.x, r.y, r.width, r.height, rgba);
        return true;
      }
      case pseudoEncodingDesktopName: {
        if (q.length < 4) return false;
        const length = q.peekU32();
        if (length > maxDesktopNameLength)
          throw new ProtocolError(`desktop name too long (${length} bytes)`);
        if (q.length < 4 + length) return false;
        q.skip(4);
        this.handler.desktopName(utf8.decode(q.readView(length)));
        return true;
      }
      case pseudoEncodingQemuExtendedKeyEvent:
        this.handler.qemuExtendedKeyEvent();
        return true;
      case pseudoEncodingExtendedMouseButtons:
        this.handler.extendedMouseButtons();
        return true;
      case pseudoEncodingQemuLedState:
        if (q.length < 1) return false;
        this.handler.qemuLedState(q.readU8());
        return true;
      default: {
        const decoder = this.decoders.get(r.encoding);
        if (!decoder)
          throw new ProtocolError(
            `server used encoding ${r.encoding}, which the client did not ask for`,
          );
        const t = this.target;
        if (r.x + r.width > t.width || r.y + r.height > t.height) {
          throw new ProtocolError(
            `rectangle ${r.width}x${r.height}+${r.x}+${r.y} lies outside the ${t.width}x${t.height} framebuffer`,
          );
        }
        return decoder.decodeRect(r.x, r.y, r.width, r.height, q, t);
      }
    }
  }
}

function checkFramebufferSize(width: number, height: number): void {
  if (width > maxFramebufferSide || height > maxFramebufferSide) {
    throw new ProtocolError(`framebuffer size ${width}x${height} exceeds ${maxFramebufferSide}`);
  }
}
