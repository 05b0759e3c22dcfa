// One RFB connection without its transport: feeds received bytes to the handshake and the message reader, writes replies, and turns errors into one clear disconnect.

import type { Decoder } from '../decoders/decoder';
import type { DrawTarget } from '../display/draw-target';
import { ByteQueue } from './byte-queue';
import { buildProvideText, parseCapsSizes, parseProvideText } from './clipboard';
import {
  encodingCopyRect,
  encodingHextile,
  encodingRaw,
  encodingRRE,
  encodingTight,
  encodingTightPNG,
  encodingZlib,
  encodingZRLE,
  extendedClipboardActionCaps,
  extendedClipboardActionNotify,
  extendedClipboardActionPeek,
  extendedClipboardActionProvide,
  extendedClipboardActionRequest,
  extendedClipboardFormatText,
  extendedDesktopSizeReasonClient,
  fenceFlagBlockAfter,
  fenceFlagBlockBefore,
  fenceFlagRequest,
  maxClipboardTextLength,
  pseudoEncodingCompressLevel0,
  pseudoEncodingContinuousUpdates,
  pseudoEncodingCursor,
  pseudoEncodingDesktopName,
  pseudoEncodingDesktopSize,
  pseudoEncodingExtendedClipboard,
  pseudoEncodingExtendedDesktopSize,
  pseudoEncodingExtendedMouseButtons,
  pseudoEncodingFence,
  pseudoEncodingLastRect,
  pseudoEncodingQemuExtendedKeyEvent,
  pseudoEncodingQemuLedState,
  pseudoEncodingQualityLevel0,
  pseudoEncodingXvp,
  xvpInit,
} from './constants';
import type { RsaPrivateKey } from './crypto/rsa';
import { generateRsaKey } from './crypto/rsa';
import { Handshake, SecurityFailure } from './handshake';
import type { ServerInit } from './handshake';
import type { MessageHandler } from './message-handler';
import { MessageReader } from './message-reader';
import type { Screen } from './messages';
import {
  pixelFormatRgbx32,
  writeClientCutText,
  writeClientFence,
  writeEnableContinuousUpdates,
  writeExtendedPointerEvent,
  writeExtendedClipboard,
  writeExtendedClipboardCaps,
  writeFramebufferUpdateRequest,
  writeKeyEvent,
  writePointerEvent,
  writeQemuExtendedKeyEvent,
  writeSetDesktopSize,
  writeSetEncodings,
  writeSetPixelFormat,
  writeXvp,
} from './messages';
import type { CredentialType, Credentials, ServerIdentity } from './security/security';

/** A DrawTarget whose size the session controls. */
export interface FramebufferDisplay extends DrawTarget {
  resize(width: number, height: number): void;
  /** True while drawing lags behind (images decoding): the session stops reading until whenIdle(). */
  readonly busy?: boolean;
  whenIdle?(): Promise<void>;
  /** The RGBA pixels (row length `width`), for screenshots and tests. */
  readonly framebuffer?: Uint8ClampedArray;
}

export interface SessionTransport {
  send(bytes: Uint8Array): void;
  close(): void;
}

export interface Capabilities {
  /** XVP power actions (shutdown, reboot, reset): the server sent XVP_INIT. */
  power: boolean;
  /** The server accepts SetDesktopSize (remote resize). */
  resize: boolean;
}

/** What a session reports; names follow noVNC's events. */
export interface SessionEvents {
  connect(): void;
  disconnect(clean: boolean, reason?: string): void;
  credentialsRequired(types: CredentialType[]): void;
  /** The server's identity key, to be approved (approveServer) or rejected (rejectServer). */
  serverVerification(identity: ServerIdentity): void;
  securityFailure(status: number, reason?: string): void;
  clipboard(text: string): void;
  bell(): void;
  desktopName(name: string): void;
  capabilities(capabilities: Capabilities): void;
  resize(width: number, height: number): void;
  cursor(hotX: number, hotY: number, width: number, height: number, rgba: Uint8Array): void;
  ledState(state: number): void;
}

export interface SessionOptions {
  shared?: boolean;
  credentials?: Credentials;
  /** JPEG quality 0..9 (default 6). */
  qualityLevel?: number;
  /** Compression level 0..9 (default 2). */
  compressionLevel?: number;
  /**
   * The rectangle encodings to announce, in order of preference (default: every one the decoder
   * table has, in the client's order). Raw is added at the end unless listed; pseudo-encodings are
   * always announced. Encodings without a decoder are left out.
   */
  encodings?: readonly number[];
  /**
   * Announce a QualityLevel pseudo-encoding (default true). Without one, Tight servers send no
   * JPEG, so the picture is lossless.
   */
  jpeg?: boolean;
  /** Overrides for tests: randomness and the RA2 client key. */
  randomBytes?: (n: number) => Uint8Array;
  generateRsaKey?: ((bits: number) => Promise<RsaPrivateKey>) | null;
}

export type SessionState = 'connecting' | 'connected' | 'disconnected';

/**
 * What the client knows of the server's ExtendedMouseButtons support. Until the server has
 * answered, bit 7 of a PointerEvent is never set: a server that supports the extension reads it as
 * the marker of the extended form (RFB spec), while for one without the extension it is back. The
 * server confirms "as soon as possible", so no confirmation by the end of the first
 * FramebufferUpdate (which answers a request sent after SetEncodings) means no support.
 */
type ExtendedMouseButtons = 'unknown' | 'supported' | 'unsupported';

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** Encodings in the order the client prefers them, when the decoder table has them. */
const preferredEncodings = [
  encodingCopyRect,
  encodingTight,
  encodingTightPNG,
  encodingZRLE,
  encodingHextile,
  encodingZlib,
  encodingRRE,
];

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.round(v)));

const defaultRandomBytes = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));
const webCryptoAvailable = (): boolean =>
  typeof crypto !== 'undefined' && crypto.subtle !== undefined;

export class RfbSession implements MessageHandler {
  private readonly queue = new ByteQueue();
  private readonly handshake: Handshake;
  private reader: MessageReader | null = null;
  private stateValue: SessionState = 'connecting';
  private pumping = false;
  private waitingForDisplay = false;
  private credentials: Credentials;
  private serverVerification: 'none' | 'pending' | 'approved' = 'none';
  private readonly shared: boolean;
  private qualityLevel: number;
  private compressionLevel: number;
  private readonly rectEncodings: readonly number[];
  private readonly jpeg: boolean;

  private width = 0;
  private height = 0;
  private continuousUpdates = false;
  private supportsContinuousUpdates = false;
  private supportsSetDesktopSize = false;
  private supportsQemuKeys = false;
  private supportsXvp = false;
  private extendedMouseButtonsState: ExtendedMouseButtons = 'unknown';
  /** The last PointerEvent sent and the button mask it was asked for. */
  private lastPointer: { message: Uint8Array; mask: number } | null = null;
  private firstScreen: Screen | null = null;
  private clipboardServerActions = 0;
  private clipboardServerFormats = 0;
  private clipboardText: string | null = null;

  constructor(
    private readonly transport: SessionTransport,
    private readonly display: FramebufferDisplay,
    private readonly decoders: ReadonlyMap<number, Decoder>,
    private readonly events: SessionEvents,
    options: SessionOptions = {},
  ) {
    this.shared = options.shared ?? true;
    this.credentials = { ...options.credentials };
    this.qualityLevel = clamp(options.qualityLevel ?? 6, 0, 9);
    this.compressionLevel = clamp(options.compressionLevel ?? 2, 0, 9);
    const wanted = options.encodings ?? preferredEncodings;
    this.rectEncodings = [...new Set([...wanted, encodingRaw])].filter((e) => decoders.has(e));
    this.jpeg = options.jpeg ?? true;
    const keygen =
      options.generateRsaKey === null
        ? undefined
        : (options.generateRsaKey ?? (webCryptoAvailable() ? generateRsaKey : undefined));
    this.handshake = new Handshake({
      shared: this.shared,
      send: (b) => this.send(b),
      credentials: () => this.credentials,
      requestCredentials: (types) => this.events.credentialsRequired(types),
      verifyServer: (identity) => {
        if (this.stateValue !== 'connecting') return; // ended while the fingerprint was computed
        this.serverVerification = 'pending';
        this.events.serverVerification(identity);
      },
      serverApproved: () => this.serverVerification === 'approved',
      resume: () => this.pump(),
      fail: (e) => this.fail(e),
      randomBytes: options.randomBytes ?? defaultRandomBytes,
      generateRsaKey: keygen,
    });
  }

  get state(): SessionState {
    return this.stateValue;
  }

  get capabilities(): Capabilities {
    return { power: this.supportsXvp, resize: this.supportsSetDesktopSize };
  }

  /** Bytes from the transport. */
  receive(chunk: Uint8Array): void {
    if (this.stateValue === 'disconnected') return;
    this.queue.push(chunk);
    this.pump();
  }

  /** The transport closed (by either side). */
  transportClosed(code?: number, reason?: string): void {
    if (this.stateValue === 'disconnected') return;
    if (this.stateValue === 'connecting') {
      const detail = [code !== undefined ? `code ${code}` : '', reason ?? '']
        .filter(Boolean)
        .join(', ');
      this.finish(false, `connection closed during the handshake${detail ? ` (${detail})` : ''}`);
    } else {
      this.finish(true);
    }
  }

  /** Ends the session at the user's request. */
  disconnect(): void {
    if (this.stateValue === 'disconnected') return;
    this.finish(true);
  }

  /** Supplies credentials asked for by `credentialsRequired`, and resumes the handshake. */
  sendCredentials(credentials: Credentials): void {
    this.credentials = { ...this.credentials, ...credentials };
    this.pump();
  }

  /** The person trusts the server's identity key (after `serverVerification`): the handshake goes on. */
  approveServer(): void {
    if (this.stateValue !== 'connecting' || this.serverVerification !== 'pending') return;
    this.serverVerification = 'approved';
    this.pump();
  }

  /** The person does not trust the server's identity key: the session ends, saying so. */
  rejectServer(): void {
    if (this.stateValue !== 'connecting' || this.serverVerification !== 'pending') return;
    this.finish(false, "the server's identity key was rejected (not trusted)");
  }

  /** A key press or release; `code` is the XT scancode (0 if unknown) for QEMU extended keys. */
  sendKey(keysym: number, code: number, down: boolean): void {
    if (this.stateValue !== 'connected') return;
    if (this.supportsQemuKeys && code) this.send(writeQemuExtendedKeyEvent(keysym, code, down));
    else if (keysym) this.send(writeKeyEvent(keysym, down));
  }

  /**
   * A pointer position and button state; `buttonMask` has button n at bit n-1 (bit 7 back,
   * bit 8 forward). Buttons 8 and up go in the extended PointerEvent once the server confirmed
   * ExtendedMouseButtons; without it back is bit 7 and forward is not sent: a change of forward
   * alone sends nothing.
   */
  sendPointer(x: number, y: number, buttonMask: number): void {
    if (this.stateValue !== 'connected') return;
    const px = clamp(x, 0, Math.max(0, this.width - 1));
    const py = clamp(y, 0, Math.max(0, this.height - 1));
    const message = this.pointerMessage(px, py, buttonMask);
    const last = this.lastPointer;
    this.lastPointer = { message, mask: buttonMask };
    if (last && last.mask !== buttonMask && sameBytes(last.message, message)) return;
    this.send(message);
  }

  private pointerMessage(x: number, y: number, buttonMask: number): Uint8Array {
    switch (this.extendedMouseButtonsState) {
      case 'supported':
        return buttonMask & ~0x7f
          ? writeExtendedPointerEvent(x, y, buttonMask)
          : writePointerEvent(x, y, buttonMask);
      case 'unsupported':
        return writePointerEvent(x, y, buttonMask & 0xff);
      case 'unknown':
        return writePointerEvent(x, y, buttonMask & 0x7f);
    }
  }

  /** Offers local clipboard text to the server. */
  clipboardPasteFrom(text: string): void {
    if (this.stateValue !== 'connected') return;
    if (
      this.clipboardServerFormats & extendedClipboardFormatText &&
      this.clipboardServerActions & extendedClipboardActionNotify
    ) {
      this.clipboardText = text;
      this.send(
        writeExtendedClipboard(extendedClipboardActionNotify | extendedClipboardFormatText),
      );
      // libvncserver 0.9.14 (x11vnc in Debian 12) takes the extension but drops the UTF-8 text
      // it is then sent (LibVNC/libvncserver#638): Latin-1 text also goes the classic way, and a
      // server that reads both gets the same text twice.
      if (/^[\u0000-\u00ff]*$/.test(text)) this.send(writeClientCutText(text));
    } else {
      this.send(writeClientCutText(text));
    }
  }

  /** Asks the server to resize its desktop; returns false if it does not support that. */
  requestDesktopSize(width: number, height: number): boolean {
    if (this.stateValue !== 'connected' || !this.supportsSetDesktopSize) return false;
    const screen = this.firstScreen ?? { id: 0, x: 0, y: 0, width, height, flags: 0 };
    this.send(writeSetDesktopSize(width, height, [{ ...screen, x: 0, y: 0, width, height }]));
    return true;
  }

  /** Asks for an XVP power action (xvpShutdown, xvpReboot, xvpReset); false if the server offers none. */
  xvpOperation(code: number): boolean {
    if (this.stateValue !== 'connected' || !this.supportsXvp) return false;
    this.send(writeXvp(code));
    return true;
  }

  /** Changes the JPEG quality and compression hints (sends SetEncodings again). */
  setQuality(qualityLevel: number, compressionLevel: number): void {
    this.qualityLevel = clamp(qualityLevel, 0, 9);
    this.compressionLevel = clamp(compressionLevel, 0, 9);
    if (this.stateValue === 'connected') this.send(writeSetEncodings(this.encodings()));
  }

  /**
   * Rectangles received so far on this connection, per encoding number (pseudo-encodings
   * included, LastRect excepted): to see which encodings the server really used.
   */
  get rectangleCounts(): ReadonlyMap<number, number> {
    return this.reader?.rectangleCounts ?? new Map();
  }

  /** The encodings the client announces, in order of preference. */
  encodings(): number[] {
    const encs = [...this.rectEncodings];
    if (this.jpeg) encs.push(pseudoEncodingQualityLevel0 + this.qualityLevel);
    encs.push(
      pseudoEncodingCompressLevel0 + this.compressionLevel,
      pseudoEncodingDesktopSize,
      pseudoEncodingExtendedDesktopSize,
      pseudoEncodingLastRect,
      pseudoEncodingCursor,
      pseudoEncodingDesktopName,
      pseudoEncodingQemuExtendedKeyEvent,
      pseudoEncodingQemuLedState,
      pseudoEncodingXvp,
      pseudoEncodingFence,
      pseudoEncodingContinuousUpdates,
      pseudoEncodingExtendedClipboard,
      pseudoEncodingExtendedMouseButtons,
    );
    return encs;
  }

  private send(bytes: Uint8Array): void {
    if (this.stateValue !== 'disconnected') this.transport.send(bytes);
  }

  /** Runs the parsers over the queue; the one place where protocol errors are caught. */
  private pump(): void {
    if (this.pumping || this.waitingForDisplay || this.stateValue === 'disconnected') return;
    this.pumping = true;
    try {
      if (this.reader === null) {
        const init = this.handshake.process(this.queue);
        if (init === null) return;
        this.start(init);
      }
      this.reader!.process(this.queue);
    } catch (e) {
      this.fail(e);
    } finally {
      this.pumping = false;
    }
  }

  private start(init: ServerInit): void {
    this.reader = new MessageReader(this, this.decoders, this.display);
    for (const d of this.decoders.values()) d.reset?.();
    this.stateValue = 'connected';
    this.resizeFramebuffer(init.width, init.height);
    this.events.desktopName(init.name);
    this.send(writeSetPixelFormat(pixelFormatRgbx32));
    this.send(writeSetEncodings(this.encodings()));
    this.send(writeFramebufferUpdateRequest(false, 0, 0, this.width, this.height));
    this.events.connect();
  }

  private fail(error: unknown): void {
    if (this.stateValue === 'disconnected') return;
    if (error instanceof SecurityFailure) this.events.securityFailure(error.status, error.reason);
    const message = error instanceof Error ? error.message : String(error);
    this.finish(false, message);
  }

  private finish(clean: boolean, reason?: string): void {
    this.stateValue = 'disconnected';
    this.queue.clear();
    this.transport.close();
    this.events.disconnect(clean, reason);
  }

  private resizeFramebuffer(width: number, height: number): void {
    this.width = width;
    this.height = height;
    this.display.resize(width, height);
    this.events.resize(width, height);
    if (this.continuousUpdates) this.send(writeEnableContinuousUpdates(true, 0, 0, width, height));
  }

  // MessageHandler: called by the reader.

  shouldPause(): boolean {
    if (!this.display.busy || !this.display.whenIdle) return false;
    // Keep the display's queue of pending operations bounded: read on once it has drawn them.
    this.waitingForDisplay = true;
    this.display.whenIdle().then(() => {
      this.waitingForDisplay = false;
      this.pump();
    });
    return true;
  }

  framebufferUpdateEnd(): void {
    if (this.extendedMouseButtonsState === 'unknown')
      this.extendedMouseButtonsState = 'unsupported';
    if (!this.continuousUpdates) {
      this.send(writeFramebufferUpdateRequest(true, 0, 0, this.width, this.height));
    }
  }

  desktopSize(width: number, height: number): void {
    this.resizeFramebuffer(width, height);
  }

  extendedDesktopSize(
    reason: number,
    status: number,
    width: number,
    height: number,
    screens: Screen[],
  ): void {
    if (!this.supportsSetDesktopSize) {
      this.supportsSetDesktopSize = true;
      this.events.capabilities(this.capabilities);
    }
    if (screens.length > 0) this.firstScreen = screens[0];
    if (reason === extendedDesktopSizeReasonClient && status !== 0) return; // request refused
    if (width !== this.width || height !== this.height) this.resizeFramebuffer(width, height);
  }

  cursor(hotX: number, hotY: number, width: number, height: number, rgba: Uint8Array): void {
    this.events.cursor(hotX, hotY, width, height, rgba);
  }

  desktopName(name: string): void {
    this.events.desktopName(name);
  }

  qemuExtendedKeyEvent(): void {
    this.supportsQemuKeys = true;
  }

  extendedMouseButtons(): void {
    this.extendedMouseButtonsState = 'supported';
  }

  qemuLedState(state: number): void {
    this.events.ledState(state);
  }

  bell(): void {
    this.events.bell();
  }

  xvp(version: number, code: number): void {
    // XVP_INIT says the server takes power actions; XVP_FAIL (a refused action) changes nothing.
    if (code === xvpInit && version >= 1 && !this.supportsXvp) {
      this.supportsXvp = true;
      this.events.capabilities(this.capabilities);
    }
  }

  serverCutText(text: string): void {
    this.events.clipboard(text);
  }

  extendedClipboard(flags: number, payload: Uint8Array): void {
    const formats = flags & 0xffff;
    const actions = flags & 0xff000000;
    if (actions & extendedClipboardActionCaps) {
      parseCapsSizes(flags, payload);
      this.clipboardServerFormats = formats;
      this.clipboardServerActions = actions;
      const ours =
        extendedClipboardActionRequest |
        extendedClipboardActionPeek |
        extendedClipboardActionNotify |
        extendedClipboardActionProvide;
      this.send(
        writeExtendedClipboardCaps(
          ours,
          new Map([[extendedClipboardFormatText, maxClipboardTextLength]]),
        ),
      );
      return;
    }
    if (actions & extendedClipboardActionRequest) {
      if (formats & extendedClipboardFormatText && this.clipboardText !== null) {
        const provide = extendedClipboardActionProvide | extendedClipboardFormatText;
        this.send(writeExtendedClipboard(provide, buildProvideText(this.clipboardText)));
      }
    } else if (actions & extendedClipboardActionPeek) {
      const has = this.clipboardText !== null ? extendedClipboardFormatText : 0;
      this.send(writeExtendedClipboard(extendedClipboardActionNotify | has));
    } else if (actions & extendedClipboardActionNotify) {
      if (
        formats & extendedClipboardFormatText &&
        this.clipboardServerActions & extendedClipboardActionRequest
      ) {
        this.send(
          writeExtendedClipboard(extendedClipboardActionRequest | extendedClipboardFormatText),
        );
      }
    } else if (actions & extendedClipboardActionProvide) {
      const text = parseProvideText(formats, payload);
      if (text !== null) {
        this.clipboardText = null; // the server's clipboard is now the newer one
        this.events.clipboard(text);
      }
    }
  }

  endOfContinuousUpdates(): void {
    if (!this.supportsContinuousUpdates) {
      this.supportsContinuousUpdates = true;
      this.continuousUpdates = true;
      this.send(writeEnableContinuousUpdates(true, 0, 0, this.width, this.height));
    } else if (this.continuousUpdates) {
      // The server stopped them on its own: fall back to requests.
      this.continuousUpdates = false;
      this.send(writeFramebufferUpdateRequest(true, 0, 0, this.width, this.height));
    }
  }

  serverFence(flags: number, payload: Uint8Array): void {
    if (!(flags & fenceFlagRequest)) return; // a response; the client sends no requests
    // Messages are handled strictly in order, so BlockBefore and BlockAfter hold by construction.
    this.send(writeClientFence(flags & (fenceFlagBlockBefore | fenceFlagBlockAfter), payload));
  }
}
