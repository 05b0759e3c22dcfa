// The DOM side of input: listens on the canvas, a hidden text field and the window, and feeds keyboard, pointer, touch and clipboard.

import type { ClipboardAccess } from './clipboard';
import { ClipboardSync } from './clipboard';
import { Keyboard } from './keyboard';
import type { KeySink } from './keyboard';
import { buttonLeft, PointerThrottle, rfbButtonMask } from './pointer';
import { scancodeFromCode } from './scancodes';
import { GesturePointer, GestureRecognizer } from './touch';
import { ViewportDrag } from './viewport-drag';

/** MouseEvent.button of the back (3) and forward (4) buttons, which browsers use to navigate. */
export const isHistoryButton = (button: number): boolean => button === 3 || button === 4;

/** What the input needs from its owner (the RFB object). */
export interface InputHost {
  canvas: HTMLCanvasElement;
  /** The element the canvas is in; the hidden text field goes there too. */
  target: HTMLElement;
  /** False while input must be ignored (view only, not connected). */
  allowed(): boolean;
  /** True while mouse drags and one-finger drags pan the view instead of reaching the server. */
  dragViewport(): boolean;
  /** Moves the content by dx,dy CSS pixels within the view (clamped). */
  panBy(dx: number, dy: number): void;
  /** Client (CSS) pixels to framebuffer pixels. */
  toFramebuffer(clientX: number, clientY: number): [number, number];
  /** `scancode`: the XT scancode of the key, 0 when only the keysym counts. */
  sendKey(keysym: number, scancode: number, down: boolean): void;
  sendPointer(x: number, y: number, mask: number): void;
  sendClipboard(text: string): void;
  clipboardAccessChanged(access: ClipboardAccess): void;
}

/**
 * Wires the DOM to the input modules. Keyboard events are taken from the canvas and from a hidden
 * textarea (which receives IME composition and, once focused with `showKeyboard`, on-screen
 * keyboard input). Mouse and pen pointers go to the pointer throttle, touch pointers to the
 * gesture recognizer. Keys are released when focus leaves; the local clipboard is read when the
 * user comes back.
 */
export class DomInput {
  readonly keyboard: Keyboard;
  readonly pointer: PointerThrottle;
  readonly clipboard: ClipboardSync;
  readonly textInput: HTMLTextAreaElement;
  private readonly gestures: GestureRecognizer;
  private readonly viewportDrag = new ViewportDrag();
  /** Where the finger of a touch pan was last, and whether one is going on. */
  private touchPan = { x: 0, y: 0 };
  private touchPanning = false;
  private readonly cleanup: (() => void)[] = [];

  constructor(private readonly host: InputHost) {
    const sendKey: KeySink = (keysym, code, down) =>
      host.sendKey(keysym, scancodeFromCode(code), down);
    this.keyboard = new Keyboard(sendKey);
    this.pointer = new PointerThrottle((x, y, mask) => host.sendPointer(x, y, mask));
    const gesturePointer = new GesturePointer(this.pointer, sendKey, (x, y) =>
      host.toFramebuffer(x, y),
    );
    this.gestures = new GestureRecognizer((g) => {
      if (g.type === 'drag' && (host.dragViewport() || this.touchPanning)) {
        this.touchPan = this.panGesture(g.phase, g.x, g.y);
        return;
      }
      if (host.allowed()) gesturePointer.handle(g);
    });
    this.clipboard = new ClipboardSync({
      clipboard: typeof navigator !== 'undefined' ? (navigator.clipboard ?? null) : null,
      send: (text) => host.sendClipboard(text),
      accessChanged: (access) => host.clipboardAccessChanged(access),
    });
    this.textInput = this.createTextInput();
    this.listenCanvas();
    this.listenTextInput();
    this.listenWindow();
  }

  /** Focuses the hidden text field: on touch devices this brings up the on-screen keyboard. */
  showKeyboard(): void {
    this.textInput.focus({ preventScroll: true });
  }

  /** Reads the local clipboard and sends it if it changed (when allowed and connected). */
  pullClipboard(userGesture = true): void {
    if (this.host.allowed()) void this.clipboard.pull(userGesture);
  }

  /**
   * A one-finger drag in drag-viewport mode: the content follows the finger. A pan that started
   * goes on to its end even if the mode is turned off meanwhile. Returns the finger's position.
   */
  private panGesture(
    phase: 'start' | 'move' | 'end',
    x: number,
    y: number,
  ): { x: number; y: number } {
    this.touchPanning = phase !== 'end';
    if (phase !== 'start') this.host.panBy(x - this.touchPan.x, y - this.touchPan.y);
    return { x, y };
  }

  /** Removes every listener and the text field. */
  detach(): void {
    this.pointer.reset();
    for (const f of this.cleanup.splice(0)) f();
  }

  /**
   * Whether input goes to the server now. When it stops (view only turned on), keys and buttons
   * still down are released first, so that nothing stays stuck on the server.
   */
  private allowed(): boolean {
    if (this.host.allowed()) return true;
    this.keyboard.releaseAll();
    if (this.pointer.buttons) {
      const [x, y] = this.pointer.position;
      this.pointer.setButtons(x, y, 0);
    }
    return false;
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

  private createTextInput(): HTMLTextAreaElement {
    const ta = document.createElement('textarea');
    ta.setAttribute('aria-label', 'Keyboard input for the remote desktop');
    ta.setAttribute('autocapitalize', 'off');
    ta.setAttribute('autocomplete', 'off');
    ta.setAttribute('autocorrect', 'off');
    ta.setAttribute('spellcheck', 'false');
    ta.tabIndex = -1;
    // Invisible, but a real focusable field where IMEs and on-screen keyboards can work.
    Object.assign(ta.style, {
      position: 'fixed',
      left: '0',
      top: '0',
      width: '1px',
      height: '1px',
      opacity: '0',
      border: '0',
      padding: '0',
      margin: '0',
      resize: 'none',
      overflow: 'hidden',
      pointerEvents: 'none',
      zIndex: '-1',
    });
    this.host.target.appendChild(ta);
    this.cleanup.push(() => ta.remove());
    return ta;
  }

  private listenCanvas(): void {
    const c = this.host.canvas;
    const host = this.host;
    c.style.touchAction = 'none'; // gestures are ours, not the browser's scrolling and zooming
    const mouse = (e: PointerEvent) => {
      const [x, y] = host.toFramebuffer(e.clientX, e.clientY);
      this.keyboard.syncModifiers(e);
      this.pointer.setButtons(x, y, rfbButtonMask(e.buttons));
    };
    this.listen(c, 'pointerdown', (e) => {
      if (e.pointerType !== 'touch' && host.dragViewport() && e.button === 0) {
        // Drag viewport (as in noVNC): the press is held back; a release without a drag is a click.
        e.preventDefault();
        if (document.activeElement !== this.textInput) c.focus({ preventScroll: true });
        c.setPointerCapture?.(e.pointerId);
        this.viewportDrag.down(e.clientX, e.clientY);
        return;
      }
      if (!this.allowed()) return;
      e.preventDefault();
      // Keep the keyboard where it is when the text field has it (on-screen keyboard up).
      if (document.activeElement !== this.textInput) c.focus({ preventScroll: true });
      if (e.pointerType === 'touch') {
        this.gestures.touchStart(e.pointerId, e.clientX, e.clientY, e.timeStamp);
        return;
      }
      c.setPointerCapture?.(e.pointerId);
      mouse(e);
      this.pullClipboard();
    });
    this.listen(c, 'pointermove', (e) => {
      if (e.pointerType !== 'touch' && this.viewportDrag.dragging) {
        const d = this.viewportDrag.move(e.clientX, e.clientY);
        if (d) host.panBy(d.dx, d.dy);
        return;
      }
      if (!this.allowed()) return;
      if (e.pointerType === 'touch') this.gestures.touchMove(e.pointerId, e.clientX, e.clientY);
      else mouse(e); // also a button change while another is held ("chorded" buttons)
    });
    this.listen(c, 'pointerup', (e) => {
      // Also when input is not allowed (view only): a canceled pointerdown suppresses the mouseup
      // below, and Chromium then navigates unless the pointerup is canceled.
      if (isHistoryButton(e.button)) e.preventDefault();
      if (e.pointerType !== 'touch' && this.viewportDrag.dragging) {
        e.preventDefault();
        const d = this.viewportDrag.move(e.clientX, e.clientY);
        if (d) host.panBy(d.dx, d.dy);
        if (this.viewportDrag.up() && this.allowed()) {
          const [x, y] = host.toFramebuffer(e.clientX, e.clientY);
          this.pointer.click(x, y, buttonLeft);
        }
        return;
      }
      if (!this.allowed()) return;
      e.preventDefault();
      if (e.pointerType === 'touch') {
        this.gestures.touchEnd(e.pointerId, e.clientX, e.clientY, e.timeStamp);
      } else mouse(e);
    });
    this.listen(c, 'pointercancel', (e) => {
      if (this.viewportDrag.dragging) this.viewportDrag.up();
      if (e.pointerType === 'touch') this.gestures.touchCancel(e.pointerId);
      else if (host.allowed()) {
        const [x, y] = host.toFramebuffer(e.clientX, e.clientY);
        this.pointer.setButtons(x, y, 0);
      }
    });
    // The back and forward buttons would navigate the page away (Chromium: on a pointerup or
    // mouseup left uncanceled); the other buttons' defaults (middle-click paste) are not wanted
    // on the canvas either. These listeners go with the session (detach at disconnect).
    this.listen(c, 'mouseup', (e) => e.preventDefault());
    this.listen(c, 'auxclick', (e) => e.preventDefault());
    this.listen(c, 'contextmenu', (e) => e.preventDefault());
    this.listen(
      c,
      'wheel',
      (e) => {
        e.preventDefault();
        if (!host.allowed()) return;
        const [x, y] = host.toFramebuffer(e.clientX, e.clientY);
        this.keyboard.syncModifiers(e);
        this.pointer.setButtons(x, y, this.pointer.buttons);
        this.pointer.wheel(x, y, e.deltaX, e.deltaY, e.deltaMode);
      },
      { passive: false },
    );
    this.listenKeys(c);
    this.listen(c, 'blur', () => this.keyboard.releaseAll());
  }

  private listenKeys(el: HTMLElement): void {
    this.listen(el, 'keydown', (e) => {
      if (this.allowed()) this.keyboard.keyDown(e);
    });
    this.listen(el, 'keyup', (e) => {
      if (this.allowed()) this.keyboard.keyUp(e);
    });
  }

  private listenTextInput(): void {
    const ta = this.textInput;
    this.listenKeys(ta);
    this.listen(ta, 'compositionstart', () => this.keyboard.compositionStart());
    this.listen(ta, 'compositionend', (e) => {
      if (this.host.allowed()) this.keyboard.compositionEnd(e.data);
      else this.keyboard.compositionEnd(null);
      ta.value = '';
    });
    this.listen(ta, 'input', (e) => {
      const ie = e as InputEvent;
      if (this.host.allowed()) this.keyboard.input(ie);
      if (!ie.isComposing) ta.value = '';
    });
    this.listen(ta, 'blur', () => this.keyboard.releaseAll());
  }

  private listenWindow(): void {
    if (typeof window === 'undefined') return;
    this.listen(window, 'blur', () => this.keyboard.releaseAll());
    this.listen(window, 'focus', () => {
      if (document.activeElement === this.host.canvas) this.pullClipboard(false);
    });
    const hidden = () => {
      if (document.visibilityState === 'hidden') this.keyboard.releaseAll();
    };
    document.addEventListener('visibilitychange', hidden);
    this.cleanup.push(() => document.removeEventListener('visibilitychange', hidden));
  }
}
