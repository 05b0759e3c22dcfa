// The embedding API: an RFB class like noVNC's that runs the client core in a Web Worker (or on this thread) and forwards input and events.

import { createDecoders } from '../decoders/index';
import { Display } from '../display/display';
import { toFramebuffer } from '../display/scaling';
import { xvpReboot, xvpReset, xvpShutdown } from '../rfb/constants';
import type { Capabilities } from '../rfb/session';
import type { Credentials } from '../rfb/security/security';
import { ClientCore } from '../worker/client-core';
import type { FromCore, ToCore } from '../worker/protocol';
import { cssCursor } from './cursor';
import type { ClipboardAccess } from '../input/clipboard';
import { DomInput } from '../input/dom-input';
import { scancodeFromCode } from '../input/scancodes';
import { panBy } from '../input/viewport-drag';

export interface RfbOptions {
  /** Ask the server to keep other clients connected (default true). */
  shared?: boolean;
  credentials?: Credentials;
  /** WebSocket subprotocols (default ["binary"]). */
  wsProtocols?: string[];
  /** Run the protocol in a Web Worker: true, false, or undefined for "when OffscreenCanvas exists". */
  useWorker?: boolean;
  /** Where the worker bundle is (default: vncgate-worker.js next to this module). */
  workerUrl?: string | URL;
  /** JPEG quality 0..9 (default 6) and compression level 0..9 (default 2). */
  qualityLevel?: number;
  compressionLevel?: number;
  /**
   * Rectangle encodings to announce, by RFB number, in order of preference (default: every one
   * the client decodes). Raw is always added; pseudo-encodings are always announced.
   */
  encodings?: number[];
  /** Announce the JPEG quality level (default true); false keeps Tight lossless. */
  jpeg?: boolean;
}

/** A copy of the framebuffer: RGBA rows of `width` pixels. */
export interface FramebufferImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export type RfbEventName =
  | 'connect'
  | 'disconnect'
  | 'credentialsrequired'
  | 'serververification'
  | 'securityfailure'
  | 'clipboard'
  | 'bell'
  | 'desktopname'
  | 'capabilities'
  | 'clipboardaccess'
  | 'resize';

const defaultWorkerUrl = (): URL => new URL('./vncgate-worker.js', import.meta.url);

export { rfbButtonMask } from '../input/pointer';

/**
 * A connection to a VNC server through a WebSocket, shown in a canvas
 * inside `target`. Events are CustomEvents named as in noVNC.
 */
export class RFB extends EventTarget {
  /** Ignore local input. */
  viewOnly = false;
  /**
   * Mouse drags and one-finger touch drags pan `target` (when it clips the canvas) instead of
   * reaching the server; a press released without dragging is still a left click (as in noVNC).
   */
  dragViewport = false;
  private resizeSessionValue = false;
  /** Scale the canvas down to fit `target` (pointer positions are mapped back). */
  private scaleValue = false;

  readonly canvas: HTMLCanvasElement;
  private readonly worker: Worker | null = null;
  private readonly core: ClientCore | null = null;
  private readonly cleanup: (() => void)[] = [];
  private input: DomInput | null = null;
  private fbWidth = 0;
  private fbHeight = 0;
  private connected = false;
  private disconnected = false;
  private showDot = false;
  private lastCursor: {
    rgba: Uint8Array;
    width: number;
    height: number;
    hotX: number;
    hotY: number;
  } | null = null;
  private capabilitiesValue: Capabilities = { power: false, resize: false };
  private quality: number;
  private compression: number;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private captureId = 0;
  private readonly captures = new Map<number, (image: FramebufferImage) => void>();
  private readonly countRequests = new Map<number, (counts: Map<number, number>) => void>();

  constructor(
    private readonly target: HTMLElement,
    url: string,
    options: RfbOptions = {},
  ) {
    super();
    this.quality = options.qualityLevel ?? 6;
    this.compression = options.compressionLevel ?? 2;
    const canvas = document.createElement('canvas');
    canvas.tabIndex = -1;
    canvas.style.outline = 'none';
    canvas.style.display = 'block';
    canvas.width = 0;
    canvas.height = 0;
    target.appendChild(canvas);
    this.canvas = canvas;

    const absolute = new URL(url, location.href);
    if (absolute.protocol === 'http:') absolute.protocol = 'ws:';
    if (absolute.protocol === 'https:') absolute.protocol = 'wss:';
    const useWorker =
      options.useWorker ??
      (typeof Worker !== 'undefined' && 'transferControlToOffscreen' in canvas);
    const connect = {
      type: 'connect' as const,
      url: absolute.href,
      protocols: options.wsProtocols ?? ['binary'],
      shared: options.shared ?? true,
      credentials: options.credentials,
      qualityLevel: this.quality,
      compressionLevel: this.compression,
      encodings: options.encodings,
      jpeg: options.jpeg,
    };
    if (useWorker) {
      this.worker = new Worker(options.workerUrl ?? defaultWorkerUrl(), { type: 'module' });
      this.worker.onmessage = (e: MessageEvent<FromCore>) => this.onCoreMessage(e.data);
      this.worker.onerror = (e: ErrorEvent) =>
        this.onCoreMessage({
          type: 'disconnect',
          clean: false,
          reason: `worker failed: ${e.message}`,
        });
      const offscreen = canvas.transferControlToOffscreen();
      this.worker.postMessage({ ...connect, canvas: offscreen }, [offscreen]);
    } else {
      // Same code, this thread: messages are delivered asynchronously, as from a worker.
      this.core = new ClientCore({
        post: (m) => queueMicrotask(() => this.onCoreMessage(m)),
        createDisplay: (c) => new Display(c, 0, 0),
        createDecoders,
      });
      this.core.handle({ ...connect, canvas });
    }
    this.attachInput();
  }

  /** True when the protocol runs in a Web Worker. */
  get usesWorker(): boolean {
    return this.worker !== null;
  }

  get capabilities(): Capabilities {
    return { ...this.capabilitiesValue };
  }

  /** The remote framebuffer's size in pixels (0 x 0 until the server sent it); `resize` events announce changes. */
  get framebufferSize(): { width: number; height: number } {
    return { width: this.fbWidth, height: this.fbHeight };
  }

  /** Ask the server to resize its desktop to fit `target` (at once when turned on, then on every resize). */
  get resizeSession(): boolean {
    return this.resizeSessionValue;
  }
  set resizeSession(value: boolean) {
    this.resizeSessionValue = value;
    this.requestRemoteResize();
  }

  get showDotCursor(): boolean {
    return this.showDot;
  }
  set showDotCursor(value: boolean) {
    this.showDot = value;
    if (this.lastCursor) this.applyCursor();
  }

  get scaleViewport(): boolean {
    return this.scaleValue;
  }
  set scaleViewport(value: boolean) {
    this.scaleValue = value;
    this.canvas.style.maxWidth = value ? '100%' : '';
    this.canvas.style.maxHeight = value ? '100%' : '';
  }

  get qualityLevel(): number {
    return this.quality;
  }
  set qualityLevel(value: number) {
    this.quality = value;
    this.post({ type: 'quality', qualityLevel: this.quality, compressionLevel: this.compression });
  }

  get compressionLevel(): number {
    return this.compression;
  }
  set compressionLevel(value: number) {
    this.compression = value;
    this.post({ type: 'quality', qualityLevel: this.quality, compressionLevel: this.compression });
  }

  disconnect(): void {
    this.post({ type: 'disconnect' });
  }

  sendCredentials(credentials: Credentials): void {
    this.post({ type: 'credentials', credentials });
  }

  /** Trusts the server's identity key shown by `serververification`: the connection goes on. */
  approveServer(): void {
    this.post({ type: 'approveServer' });
  }

  /**
   * Does not trust the server's identity key: the connection ends with a `disconnect` that says
   * so (noVNC applications call disconnect() instead, which ends it cleanly without a reason).
   */
  rejectServer(): void {
    this.post({ type: 'rejectServer' });
  }

  /** Sends a key; `code` is a KeyboardEvent.code (for the QEMU scancode) or null. */
  sendKey(keysym: number, code: string | null, down?: boolean): void {
    const scancode = scancodeFromCode(code);
    if (down === undefined) {
      this.post({ type: 'key', keysym, code: scancode, down: true });
      this.post({ type: 'key', keysym, code: scancode, down: false });
    } else {
      this.post({ type: 'key', keysym, code: scancode, down });
    }
  }

  sendCtrlAltDel(): void {
    this.sendKey(0xffe3, 'ControlLeft', true);
    this.sendKey(0xffe9, 'AltLeft', true);
    this.sendKey(0xffff, 'Delete', true);
    this.sendKey(0xffff, 'Delete', false);
    this.sendKey(0xffe9, 'AltLeft', false);
    this.sendKey(0xffe3, 'ControlLeft', false);
  }

  /** XVP power actions; they do nothing unless `capabilities.power` is true (the server offers them). */
  machineShutdown(): void {
    this.post({ type: 'xvp', code: xvpShutdown });
  }

  machineReboot(): void {
    this.post({ type: 'xvp', code: xvpReboot });
  }

  machineReset(): void {
    this.post({ type: 'xvp', code: xvpReset });
  }

  focus(options?: FocusOptions): void {
    this.canvas.focus(options);
  }

  blur(): void {
    this.canvas.blur();
  }

  /** Sends text to the server's clipboard. */
  clipboardPasteFrom(text: string): void {
    if (this.input) this.input.clipboard.paste(text);
    else this.post({ type: 'clipboard', text });
  }

  /**
   * Whether the clipboard syncs by itself in each direction (async Clipboard API); where it
   * does not, offer a panel (`clipboard` events and `clipboardPasteFrom`). Changes are announced
   * by `clipboardaccess` events.
   */
  get clipboardAccess(): ClipboardAccess {
    return this.input?.clipboard.access ?? { read: false, write: false };
  }

  /** Sync the clipboard automatically where the browser allows (default true). */
  get autoClipboard(): boolean {
    return this.input?.clipboard.enabled ?? false;
  }
  set autoClipboard(value: boolean) {
    if (this.input) this.input.clipboard.enabled = value;
  }

  /** Focuses the hidden text field: brings up the on-screen keyboard on touch devices. */
  showKeyboard(): void {
    this.input?.showKeyboard();
  }

  /** Copies the framebuffer (from the worker when there is one); rejects once disconnected. */
  captureFramebuffer(): Promise<FramebufferImage> {
    if (this.disconnected) return Promise.reject(new Error('disconnected'));
    const id = ++this.captureId;
    return new Promise((resolve) => {
      this.captures.set(id, resolve);
      this.post({ type: 'capture', id });
    });
  }

  /**
   * How many rectangles of each encoding (by RFB number, pseudo-encodings included) the server
   * has sent on this connection: which encodings it really uses. Rejects once disconnected.
   */
  rectangleCounts(): Promise<Map<number, number>> {
    if (this.disconnected) return Promise.reject(new Error('disconnected'));
    const id = ++this.captureId;
    return new Promise((resolve) => {
      this.countRequests.set(id, resolve);
      this.post({ type: 'rectangleCounts', id });
    });
  }

  private post(msg: ToCore): void {
    if (this.disconnected) return;
    if (this.worker) this.worker.postMessage(msg);
    else this.core?.handle(msg);
  }

  private emit(name: RfbEventName, detail: unknown = {}): void {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }

  private onCoreMessage(msg: FromCore): void {
    if (this.disconnected) return;
    switch (msg.type) {
      case 'connect':
        this.connected = true;
        this.emit('connect');
        this.requestRemoteResize();
        break;
      case 'disconnect':
        this.disconnected = true;
        this.connected = false;
        this.detach();
        this.emit('disconnect', { clean: msg.clean, reason: msg.reason });
        break;
      case 'credentialsrequired':
        this.emit('credentialsrequired', { types: msg.types });
        break;
      case 'serververification': {
        // noVNC's detail (type, publickey) plus what a page shows without computing it.
        const { type, bits, fingerprint, publicKey } = msg.identity;
        this.emit('serververification', { type, bits, fingerprint, publickey: publicKey });
        break;
      }
      case 'securityfailure':
        this.emit('securityfailure', { status: msg.status, reason: msg.reason });
        break;
      case 'clipboard':
        this.emit('clipboard', { text: msg.text });
        void this.input?.clipboard.fromServer(msg.text);
        break;
      case 'bell':
        this.emit('bell');
        break;
      case 'desktopname':
        this.emit('desktopname', { name: msg.name });
        break;
      case 'capabilities':
        this.capabilitiesValue = msg.capabilities;
        this.emit('capabilities', { capabilities: this.capabilities });
        this.requestRemoteResize();
        break;
      case 'resize':
        this.fbWidth = msg.width;
        this.fbHeight = msg.height;
        if (this.worker) {
          // The placeholder canvas follows the OffscreenCanvas; set its CSS size so layout is right at once.
          this.canvas.style.width = `${msg.width}px`;
          this.canvas.style.height = `${msg.height}px`;
        } // else the display sized the canvas itself
        this.emit('resize', { width: msg.width, height: msg.height });
        break;
      case 'cursor':
        this.lastCursor = {
          rgba: msg.rgba,
          width: msg.width,
          height: msg.height,
          hotX: msg.hotX,
          hotY: msg.hotY,
        };
        this.applyCursor();
        break;
      case 'ledstate':
        break;
      case 'rectangleCounts':
        this.countRequests.get(msg.id)?.(msg.counts);
        this.countRequests.delete(msg.id);
        break;
      case 'capture': {
        const resolve = this.captures.get(msg.id);
        this.captures.delete(msg.id);
        resolve?.({
          width: msg.width,
          height: msg.height,
          data: msg.rgba ?? new Uint8ClampedArray(0),
        });
        break;
      }
    }
  }

  private applyCursor(): void {
    const c = this.lastCursor!;
    this.canvas.style.cursor = cssCursor(c.rgba, c.width, c.height, c.hotX, c.hotY, this.showDot);
  }

  private requestRemoteResize(): void {
    if (!this.resizeSessionValue || !this.connected || !this.capabilitiesValue.resize) return;
    const width = Math.floor(this.target.clientWidth);
    const height = Math.floor(this.target.clientHeight);
    if (width > 0 && height > 0 && (width !== this.fbWidth || height !== this.fbHeight)) {
      this.post({ type: 'setDesktopSize', width, height });
    }
  }

  /**
   * Maps client (CSS) pixels to framebuffer pixels, clamped to the framebuffer. The canvas's
   * client rectangle already reflects CSS scaling and how far `target` is panned (scrolled).
   */
  private toFramebuffer(clientX: number, clientY: number): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    const p = toFramebuffer(clientX - r.left, clientY - r.top, {
      canvasWidth: this.fbWidth,
      canvasHeight: this.fbHeight,
      cssWidth: r.width,
      cssHeight: r.height,
      deviceScale: 1,
      imageRendering: 'auto',
    });
    return [p.x, p.y];
  }

  /** Pans `target` so that the canvas moves by dx,dy CSS pixels, kept within the canvas. */
  private panBy(dx: number, dy: number): void {
    const t = this.target;
    const r = this.canvas.getBoundingClientRect();
    const pan = panBy(
      { x: t.scrollLeft, y: t.scrollTop },
      dx,
      dy,
      r.width,
      r.height,
      t.clientWidth,
      t.clientHeight,
    );
    t.scrollLeft = pan.x;
    t.scrollTop = pan.y;
  }

  private attachInput(): void {
    const input = new DomInput({
      canvas: this.canvas,
      target: this.target,
      allowed: () => !this.viewOnly && this.connected,
      dragViewport: () => this.dragViewport,
      panBy: (dx, dy) => this.panBy(dx, dy),
      toFramebuffer: (x, y) => this.toFramebuffer(x, y),
      sendKey: (keysym, code, down) => this.post({ type: 'key', keysym, code, down }),
      sendPointer: (x, y, mask) => this.post({ type: 'pointer', x, y, mask }),
      sendClipboard: (text) => this.post({ type: 'clipboard', text }),
      clipboardAccessChanged: (access) => this.emit('clipboardaccess', { access }),
    });
    this.input = input;
    this.cleanup.push(() => input.detach());
    if (typeof ResizeObserver !== 'undefined') {
      const ro = new ResizeObserver(() => {
        clearTimeout(this.resizeTimer);
        this.resizeTimer = setTimeout(() => this.requestRemoteResize(), 200);
      });
      ro.observe(this.target);
      this.cleanup.push(() => ro.disconnect());
    }
  }

  private detach(): void {
    for (const f of this.cleanup.splice(0)) f();
    clearTimeout(this.resizeTimer);
    // Let the worker post its last messages, then stop it.
    if (this.worker) setTimeout(() => this.worker!.terminate(), 0);
  }
}
