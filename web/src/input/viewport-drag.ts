// Dragging the viewport: while "drag viewport" is on, a mouse drag or a one-finger drag pans a clipped view instead of reaching the server.

import { clampPan } from '../display/scaling';

/** A pointer must move this far (CSS px, either axis) before a press becomes a pan, as in noVNC. */
export const viewportDragThresholdPx = 10;

/** A pan offset in CSS pixels: how far the view is scrolled into the content. */
export interface Pan {
  x: number;
  y: number;
}

/**
 * The pan after moving the content by dx,dy CSS pixels (the content follows the pointer, so a
 * drag to the right shows more of the left), clamped with clampPan so that a view of
 * viewWidth x viewHeight never shows past the content's edges.
 */
export function panBy(
  pan: Pan,
  dx: number,
  dy: number,
  contentWidth: number,
  contentHeight: number,
  viewWidth: number,
  viewHeight: number,
): Pan {
  return {
    x: clampPan(pan.x - dx, contentWidth, viewWidth),
    y: clampPan(pan.y - dy, contentHeight, viewHeight),
  };
}

/**
 * One press-move-release of the viewport drag. `down` starts it; `move` answers how far the
 * content should move (dx,dy since the last answer), or null while the pointer is still within
 * the threshold of where it was pressed; `up` answers true when the pointer never left the
 * threshold, i.e. the press was a click that the caller should send to the server.
 */
export class ViewportDrag {
  private active = false;
  private moved = false;
  private last = { x: 0, y: 0 };
  private start = { x: 0, y: 0 };

  constructor(private readonly thresholdPx = viewportDragThresholdPx) {}

  /** True between `down` and `up`. */
  get dragging(): boolean {
    return this.active;
  }

  down(x: number, y: number): void {
    this.active = true;
    this.moved = false;
    this.start = { x, y };
    this.last = { x, y };
  }

  move(x: number, y: number): { dx: number; dy: number } | null {
    if (!this.active) return null;
    if (
      !this.moved &&
      Math.abs(x - this.start.x) <= this.thresholdPx &&
      Math.abs(y - this.start.y) <= this.thresholdPx
    ) {
      return null;
    }
    this.moved = true;
    const d = { dx: x - this.last.x, dy: y - this.last.y };
    this.last = { x, y };
    return d;
  }

  /** Ends the drag (call `move` with the release position first); true when it was a click. */
  up(): boolean {
    if (!this.active) return false;
    this.active = false;
    return !this.moved;
  }
}
