// Touch gestures: tap, two- and three-finger tap, drag, long press, two-finger scroll and pinch, and what they do on the server.

import { keysyms } from './keysym';
import type { KeySink } from './keyboard';
import type { PointerThrottle } from './pointer';
import { buttonLeft, buttonMiddle, buttonRight, wheelDown, wheelUp, wheelStepPx } from './pointer';

export type GestureType =
  'onetap' | 'twotap' | 'threetap' | 'drag' | 'longpress' | 'twodrag' | 'pinch';

/**
 * A gesture phase. x,y: where it happens (client pixels: the first finger for one-finger
 * gestures, the fingers' centre otherwise). For 'twodrag', dx,dy is the movement of the centre
 * since the start; for 'pinch', `distance` and `startDistance` are the fingers' spread now and at
 * the start.
 */
export interface Gesture {
  phase: 'start' | 'move' | 'end';
  type: GestureType;
  x: number;
  y: number;
  dx: number;
  dy: number;
  distance: number;
  startDistance: number;
}

/** A finger moving this far (px) makes a drag rather than a tap. */
export const moveThresholdPx = 10;
/** Fingers held still this long make a long press. */
export const longPressMs = 1000;
/** Fingers down longer than this, without moving, make no tap. */
export const tapTimeoutMs = 1000;

interface Finger {
  startX: number;
  startY: number;
  x: number;
  y: number;
}

export interface GestureOptions {
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * Recognises gestures from touch points (PointerEvents of type "touch": id, client position,
 * time). Until it knows, a touch is "undecided": releasing all fingers quickly without moving is
 * a tap with as many fingers as were down at most; one finger moving is a drag, still for
 * `longPressMs` a long press; two fingers moving apart or together a pinch, moving together a
 * two-finger drag (scroll). Once decided, the gesture ends when any finger lifts; the others are
 * ignored until all are up.
 */
export class GestureRecognizer {
  private readonly fingers = new Map<number, Finger>();
  private state: 'idle' | 'undecided' | 'active' | 'ignore' = 'idle';
  private active: GestureType | null = null;
  private maxFingers = 0;
  private startTime = 0;
  private longPressTimer: unknown = null;
  private startDistance = 0;
  private startCentre = { x: 0, y: 0 };
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(
    private readonly emit: (g: Gesture) => void,
    options: GestureOptions = {},
  ) {
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer =
      options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  touchStart(id: number, x: number, y: number, time: number): void {
    if (this.state === 'idle') {
      this.state = 'undecided';
      this.maxFingers = 0;
      this.startTime = time;
      this.longPressTimer = this.setTimer(() => this.longPress(), longPressMs);
    }
    this.fingers.set(id, { startX: x, startY: y, x, y });
    if (this.state !== 'undecided') return;
    this.maxFingers = Math.max(this.maxFingers, this.fingers.size);
    if (this.fingers.size > 1) this.stopLongPress();
    if (this.fingers.size === 2) {
      // Measure two-finger gestures from when the second finger lands.
      for (const f of this.fingers.values()) {
        f.startX = f.x;
        f.startY = f.y;
      }
      this.startDistance = this.distance();
      this.startCentre = this.centre();
    }
    if (this.fingers.size > 3) this.state = 'ignore';
  }

  touchMove(id: number, x: number, y: number): void {
    const f = this.fingers.get(id);
    if (!f) return;
    f.x = x;
    f.y = y;
    if (this.state === 'undecided') this.decide();
    else if (this.state === 'active') this.emitPhase('move');
  }

  touchEnd(id: number, x: number, y: number, time: number): void {
    const f = this.fingers.get(id);
    if (!f) return;
    f.x = x;
    f.y = y;
    if (this.state === 'undecided') {
      this.decide();
      if (this.state === 'undecided' && this.fingers.size === 1) {
        this.stopLongPress();
        if (time - this.startTime < tapTimeoutMs && this.maxFingers <= 3) {
          const type = (['onetap', 'twotap', 'threetap'] as const)[this.maxFingers - 1];
          const first = this.fingers.values().next().value!;
          const pos =
            this.maxFingers === 1 ? { x: first.startX, y: first.startY } : this.startCentre;
          this.active = type;
          this.emitPhase('start', pos);
          this.emitPhase('end', pos);
          this.active = null;
        }
        this.state = 'ignore';
      }
    } else if (this.state === 'active') {
      this.emitPhase('end');
      this.active = null;
      this.state = 'ignore';
    }
    this.fingers.delete(id);
    if (this.fingers.size === 0) this.state = 'idle';
  }

  /** The system took the touches (a scroll, a dialog): end what was going on. */
  touchCancel(id: number): void {
    const f = this.fingers.get(id);
    if (f) this.touchEnd(id, f.x, f.y, Infinity);
  }

  private longPress(): void {
    this.longPressTimer = null;
    if (this.state !== 'undecided' || this.fingers.size !== 1) return;
    this.begin('longpress');
  }

  private stopLongPress(): void {
    if (this.longPressTimer === null) return;
    this.clearTimer(this.longPressTimer);
    this.longPressTimer = null;
  }

  private decide(): void {
    const n = this.fingers.size;
    if (n === 1 && this.maxFingers === 1) {
      const f = this.fingers.values().next().value!;
      if (Math.hypot(f.x - f.startX, f.y - f.startY) >= moveThresholdPx) this.begin('drag');
    } else if (n === 2 && this.maxFingers === 2) {
      const spread = Math.abs(this.distance() - this.startDistance);
      const c = this.centre();
      const shift = Math.hypot(c.x - this.startCentre.x, c.y - this.startCentre.y);
      if (Math.max(spread, shift) < moveThresholdPx) return;
      this.begin(spread > shift ? 'pinch' : 'twodrag');
    }
  }

  private begin(type: GestureType): void {
    this.stopLongPress();
    this.state = 'active';
    this.active = type;
    if (type === 'drag' || type === 'longpress') {
      // Start where the finger landed, then catch up with where it is.
      const f = this.fingers.values().next().value!;
      this.emitPhase('start', { x: f.startX, y: f.startY });
      if (f.x !== f.startX || f.y !== f.startY) this.emitPhase('move');
    } else {
      this.emitPhase('start', this.startCentre);
      this.emitPhase('move');
    }
  }

  private emitPhase(phase: Gesture['phase'], at?: { x: number; y: number }): void {
    const type = this.active!;
    const oneFinger = type === 'drag' || type === 'longpress' || type === 'onetap';
    const first = this.fingers.values().next().value!;
    const pos = at ?? (oneFinger ? { x: first.x, y: first.y } : this.centre());
    const c = this.fingers.size >= 2 ? this.centre() : this.startCentre;
    this.emit({
      phase,
      type,
      x: pos.x,
      y: pos.y,
      dx: c.x - this.startCentre.x,
      dy: c.y - this.startCentre.y,
      distance: this.fingers.size >= 2 ? this.distance() : this.startDistance,
      startDistance: this.startDistance,
    });
  }

  private centre(): { x: number; y: number } {
    let x = 0;
    let y = 0;
    for (const f of this.fingers.values()) {
      x += f.x;
      y += f.y;
    }
    return { x: x / this.fingers.size, y: y / this.fingers.size };
  }

  private distance(): number {
    const [a, b] = [...this.fingers.values()];
    return b ? Math.hypot(a.x - b.x, a.y - b.y) : 0;
  }
}

/** Pinch spread (px) per Ctrl+wheel click. */
export const pinchStepPx = 50;

/**
 * What gestures do on the server, as mouse and keyboard: tap = left click, two-finger tap =
 * right click, three-finger tap = middle click (at the first finger / centre); drag = left
 * drag; long press = right button held (and dragged) until release; two-finger drag = wheel
 * scrolling that follows the fingers; pinch = Ctrl + wheel (zoom in most applications).
 * `toFramebuffer` maps client pixels to framebuffer pixels.
 */
export class GesturePointer {
  private scrolled = { x: 0, y: 0 };
  private pinchSteps = 0;

  constructor(
    private readonly pointer: PointerThrottle,
    private readonly key: KeySink,
    private readonly toFramebuffer: (x: number, y: number) => [number, number],
  ) {}

  handle(g: Gesture): void {
    const [x, y] = this.toFramebuffer(g.x, g.y);
    const base = this.pointer.buttons & ~(buttonLeft | buttonMiddle | buttonRight);
    switch (g.type) {
      case 'onetap':
      case 'twotap':
      case 'threetap':
        if (g.phase !== 'start') return;
        this.pointer.setButtons(x, y, base);
        this.pointer.click(
          x,
          y,
          g.type === 'onetap' ? buttonLeft : g.type === 'twotap' ? buttonRight : buttonMiddle,
        );
        return;
      case 'drag':
      case 'longpress': {
        const button = g.type === 'drag' ? buttonLeft : buttonRight;
        if (g.phase === 'start') {
          this.pointer.setButtons(x, y, base);
          this.pointer.setButtons(x, y, base | button);
        } else if (g.phase === 'move') this.pointer.move(x, y);
        else this.pointer.setButtons(x, y, base);
        return;
      }
      case 'twodrag':
        if (g.phase === 'start') {
          this.scrolled = { x: 0, y: 0 };
          this.pointer.setButtons(x, y, base);
          return;
        }
        this.scrollTo(x, y, g.dx, g.dy);
        return;
      case 'pinch':
        if (g.phase === 'start') {
          this.pinchSteps = 0;
          this.pointer.setButtons(x, y, base);
          this.key(keysyms.controlL, 'ControlLeft', true);
          return;
        }
        this.pinchTo(x, y, g.distance - g.startDistance);
        if (g.phase === 'end') this.key(keysyms.controlL, 'ControlLeft', false);
        return;
    }
  }

  /** Natural scrolling: fingers moving up move the content up, i.e. scroll down. */
  private scrollTo(x: number, y: number, dx: number, dy: number): void {
    const stepsY = Math.trunc(-dy / wheelStepPx) - this.scrolled.y;
    const stepsX = Math.trunc(-dx / wheelStepPx) - this.scrolled.x;
    this.scrolled.y += stepsY;
    this.scrolled.x += stepsX;
    this.pointer.wheel(x, y, stepsX * wheelStepPx, stepsY * wheelStepPx);
  }

  private pinchTo(x: number, y: number, spread: number): void {
    const steps = Math.trunc(spread / pinchStepPx);
    for (; this.pinchSteps < steps; this.pinchSteps++) this.pointer.click(x, y, wheelUp);
    for (; this.pinchSteps > steps; this.pinchSteps--) this.pointer.click(x, y, wheelDown);
  }
}
