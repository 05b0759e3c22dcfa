// Mouse input: DOM buttons to the RFB button mask, throttled moves that never lose the last position, wheel steps.

/** Receives a PointerEvent for the server: framebuffer position and button mask (button n at bit n-1). */
export type PointerSink = (x: number, y: number, mask: number) => void;

/**
 * Button mask bits (button n at bit n-1): left, middle, right, wheel up/down/left/right, back (8),
 * forward (9). Bits 0-7 are the PointerEvent's button-mask; forward reaches the server only in the
 * extended PointerEvent (ExtendedMouseButtons), which the session uses when the server has it.
 */
export const buttonLeft = 1;
export const buttonMiddle = 2;
export const buttonRight = 4;
export const wheelUp = 8;
export const wheelDown = 16;
export const wheelLeft = 32;
export const wheelRight = 64;
export const buttonBack = 128;
export const buttonForward = 256;

/**
 * DOM `buttons` (bit 0 left, 1 right, 2 middle, 3 back, 4 forward) to the button mask (bit 0 left,
 * 1 middle, 2 right, 7 back: X button 8, 8 forward: X button 9).
 */
export function rfbButtonMask(domButtons: number): number {
  return (
    (domButtons & 1) |
    ((domButtons & 4) >> 1) |
    ((domButtons & 2) << 1) |
    ((domButtons & (8 | 16)) << 4)
  );
}

/** Pixels of scrolling per wheel click sent (a mouse notch is about 50-120 px in browsers). */
export const wheelStepPx = 50;
/** What one "line" of a line-mode wheel event is worth in pixels. */
export const wheelLinePx = 19;
/** What one "page" of a page-mode wheel event is worth in pixels. */
export const wheelPagePx = 400;
/** A scroll remainder older than this is forgotten: the next gesture starts afresh. */
export const wheelIdleMs = 500;

/** Moves are sent at most this often; a deferred move is always sent, never dropped. */
export const pointerIntervalMs = 16;

export interface PointerOptions {
  intervalMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * The pointer state sent to the server. Button changes (and wheel clicks) go out at once, with
 * their position; moves go out at most every `intervalMs`, and a move held back is sent when the
 * interval ends, so the server always ends up at the last position seen. A button change sent
 * while a move is held back carries the newer position and replaces it.
 */
export class PointerThrottle {
  private mask = 0;
  private x = -1;
  private y = -1;
  private lastSent = -Infinity;
  private pending: { x: number; y: number } | null = null;
  private timer: unknown = null;
  private wheelX = 0;
  private wheelY = 0;
  private lastWheel = -Infinity;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(
    private readonly sink: PointerSink,
    options: PointerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? pointerIntervalMs;
    this.now = options.now ?? (() => performance.now());
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer =
      options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** The button mask last sent (wheel bits excluded). */
  get buttons(): number {
    return this.mask;
  }

  /** The pointer moved to x,y (framebuffer pixels) with the buttons unchanged. */
  move(x: number, y: number): void {
    if (!this.pending && x === this.x && y === this.y) return;
    const wait = this.lastSent + this.intervalMs - this.now();
    if (wait <= 0 && !this.pending) {
      this.send(x, y, this.mask);
      return;
    }
    this.pending = { x, y };
    if (this.timer === null) {
      this.timer = this.setTimer(
        () => {
          this.timer = null;
          this.flush();
        },
        Math.max(0, wait),
      );
    }
  }

  /** The buttons are now `mask` at x,y: sent at once (nothing if nothing changed). */
  setButtons(x: number, y: number, mask: number): void {
    if (mask === this.mask) {
      this.move(x, y);
      return;
    }
    this.cancelPending();
    this.mask = mask;
    this.send(x, y, mask);
  }

  /** Sends a move held back by the throttle now. */
  flush(): void {
    const p = this.pending;
    this.cancelPending();
    if (p && (p.x !== this.x || p.y !== this.y)) this.send(p.x, p.y, this.mask);
  }

  /** Presses and releases `buttonBits` at x,y (a click, or a wheel step). */
  click(x: number, y: number, buttonBits: number): void {
    this.cancelPending();
    this.send(x, y, this.mask | buttonBits);
    this.send(x, y, this.mask);
  }

  /**
   * A wheel event at x,y. Deltas (DOM WheelEvent: positive = down / right, `deltaMode` 0 pixels,
   * 1 lines, 2 pages) add up until they make a whole step of `wheelStepPx`; each step is one
   * click of buttons 4-7. Smaller deltas (trackpads) therefore scroll in proportion; a remainder
   * is kept for the same gesture only. Returns the number of clicks sent.
   */
  wheel(x: number, y: number, deltaX: number, deltaY: number, deltaMode = 0): number {
    const scale = deltaMode === 1 ? wheelLinePx : deltaMode === 2 ? wheelPagePx : 1;
    const now = this.now();
    if (now - this.lastWheel > wheelIdleMs) {
      this.wheelX = 0;
      this.wheelY = 0;
    }
    this.lastWheel = now;
    // A change of direction starts afresh, so that reversing feels immediate.
    if (Math.sign(deltaX) * Math.sign(this.wheelX) < 0) this.wheelX = 0;
    if (Math.sign(deltaY) * Math.sign(this.wheelY) < 0) this.wheelY = 0;
    this.wheelX += deltaX * scale;
    this.wheelY += deltaY * scale;
    let clicks = 0;
    while (Math.abs(this.wheelY) >= wheelStepPx) {
      this.click(x, y, this.wheelY < 0 ? wheelUp : wheelDown);
      this.wheelY -= Math.sign(this.wheelY) * wheelStepPx;
      clicks++;
    }
    while (Math.abs(this.wheelX) >= wheelStepPx) {
      this.click(x, y, this.wheelX < 0 ? wheelLeft : wheelRight);
      this.wheelX -= Math.sign(this.wheelX) * wheelStepPx;
      clicks++;
    }
    return clicks;
  }

  /** Forgets held-back moves and scroll remainders (disconnect). */
  reset(): void {
    this.cancelPending();
    this.wheelX = 0;
    this.wheelY = 0;
  }

  private cancelPending(): void {
    this.pending = null;
    if (this.timer !== null) {
      this.clearTimer(this.timer);
      this.timer = null;
    }
  }

  private send(x: number, y: number, mask: number): void {
    this.x = x;
    this.y = y;
    this.lastSent = this.now();
    this.sink(x, y, mask);
  }

  /** The position last sent, or -1,-1. */
  get position(): [number, number] {
    return [this.x, this.y];
  }
}
