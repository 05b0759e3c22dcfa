// The embedding API: an RFB class like noVNC's that runs the client core in a Web Worker (or on this thread) and forwards input and events.

import { createDecoders } from '../decoders/index';
import { Display } from '../display/display';
import type { Capabilities } from '../rfb/session';
import type { Credentials } from '../rfb/security/security';
import { ClientCore } from '../worker/client-core';
import type { FromCore, ToCore } from '../worker/protocol';
import { cssCursor } from './cursor';
import { keysymFromKey, scancodeFromCode } from './keysym';

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
  | 'securityfailure'
  | 'clipboard'
  | 'bell'
  | 'desktopname'
  | 'capabilities';

const defaultWorkerUrl = (): URL => new URL('./vncgate-worker.js', import.meta.url);

/** DOM mouse buttons (bit 0 left, 1 right, 2 middle, 3 back) to the RFB mask (bit 0 left, 1 middle, 2 right, 7 back). */
export function rfbButtonMask(domButtons: number): number {
  return (
    (domButtons & 1) | ((domButtons & 4) >> 1) | ((domButtons & 2) << 1) | ((domButtons & 8) << 4)
  );
}

/**
 * A connection to a VNC server through a WebSocket, shown in a canvas
 * inside `target`. Events are CustomEvents named as in noVNC.
 */
export class RFB extends EventTarget {
  /** Ignore local input. */
  viewOnly = false;
  /** Ask the server to resize its desktop to fit `target`. */
  resizeSession = false;
  /** Scale the canvas down to fit `target` (pointer positions are mapped back). */
  private scaleValue = false;

  readonly canvas: HTMLCanvasElement;
  private readonly worker: Worker | null = null;
  private readonly core: ClientCore | null = null;
  private readonly cleanup: (() => void)[] = [];
  private readonly keysDown = new Map<string, number>();
  private fbWidth = 0;
  private fbHeight = 0;
  private buttons = 0;
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

  focus(options?: FocusOptions): void {
    this.canvas.focus(options);
  }

  blur(): void {
    this.canvas.blur();
  }

  /** Sends text to the server's clipboard. */
  clipboardPasteFrom(text: string): void {
    this.post({ type: 'clipboard', text });
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
      case 'securityfailure':
        this.emit('securityfailure', { status: msg.status, reason: msg.reason });
        break;
      case 'clipboard':
        this.emit('clipboard', { text: msg.text });
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
        if (!this.worker) break; // the display sized the canvas itself
        // The placeholder canvas follows the OffscreenCanvas; set its CSS size so layout is right at once.
        this.canvas.style.width = `${msg.width}px`;
        this.canvas.style.height = `${msg.height}px`;
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
    if (!this.resizeSession || !this.connected || !this.capabilitiesValue.resize) return;
    const width = Math.floor(this.target.clientWidth);
    const height = Math.floor(this.target.clientHeight);
    if (width > 0 && height > 0 && (width !== this.fbWidth || height !== this.fbHeight)) {
      this.post({ type: 'setDesktopSize', width, height });
    }
  }

  /** Maps a mouse event to framebuffer coordinates (the canvas may be scaled by CSS). */
  private position(e: MouseEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    const x = r.width > 0 ? ((e.clientX - r.left) * this.fbWidth) / r.width : 0;
    const y = r.height > 0 ? ((e.clientY - r.top) * this.fbHeight) / r.height : 0;
    return [Math.floor(x), Math.floor(y)];
  }

  private listen<K extends keyof HTMLElementEventMap>(
    el: HTMLElement | Window,
    type: K,
    fn: (e: HTMLElementEventMap[K]) => void,
    options?: AddEventListenerOptions,
  ): void {
    el.addEventListener(type, fn as EventListener, options);
    this.cleanup.push(() => el.removeEventListener(type, fn as EventListener, options));
  }

  private attachInput(): void {
    const c = this.canvas;
    const pointer = (e: PointerEvent | MouseEvent) => {
      if (this.viewOnly || !this.connected) return;
      const [x, y] = this.position(e);
      this.buttons = rfbButtonMask(e.buttons);
      this.post({ type: 'pointer', x, y, mask: this.buttons });
    };
    this.listen(c, 'pointerdown', (e) => {
      c.focus({ preventScroll: true });
      c.setPointerCapture?.(e.pointerId);
      pointer(e);
      e.preventDefault();
    });
    this.listen(c, 'pointerup', (e) => {
      pointer(e);
      e.preventDefault();
    });
    this.listen(c, 'pointermove', pointer);
    this.listen(c, 'contextmenu', (e) => e.preventDefault());
    this.listen(
      c,
      'wheel',
      (e) => {
        e.preventDefault();
        if (this.viewOnly || !this.connected) return;
        const [x, y] = this.position(e);
        const bit =
          e.deltaY < 0 ? 8 : e.deltaY > 0 ? 16 : e.deltaX < 0 ? 32 : e.deltaX > 0 ? 64 : 0;
        if (!bit) return;
        this.post({ type: 'pointer', x, y, mask: this.buttons | bit });
        this.post({ type: 'pointer', x, y, mask: this.buttons });
      },
      { passive: false },
    );
    this.listen(c, 'keydown', (e) => {
      if (this.viewOnly || !this.connected) return;
      const keysym = keysymFromKey(e.key, e.location);
      const code = scancodeFromCode(e.code);
      if (!keysym && !code) return;
      e.preventDefault();
      // The release must name the same key as the press, whatever the modifiers are by then.
      this.keysDown.set(e.code || e.key, keysym);
      this.post({ type: 'key', keysym, code, down: true });
    });
    this.listen(c, 'keyup', (e) => {
      if (this.viewOnly || !this.connected) return;
      const id = e.code || e.key;
      const keysym = this.keysDown.get(id) ?? keysymFromKey(e.key, e.location);
      this.keysDown.delete(id);
      e.preventDefault();
      this.post({ type: 'key', keysym, code: scancodeFromCode(e.code), down: false });
    });
    this.listen(c, 'blur', () => {
      // Release held keys, or the server would see them stuck down.
      for (const [id, keysym] of this.keysDown) {
        this.post({ type: 'key', keysym, code: scancodeFromCode(id), down: false });
      }
      this.keysDown.clear();
    });
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
