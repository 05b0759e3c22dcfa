// Tests for dragging the viewport: the press-move-release state machine, clamped panning, and pointer mapping after a pan.

import { describe, expect, it } from 'vitest';
import { computeLayout, toFramebuffer } from '../../src/display/scaling';
import { panBy, ViewportDrag, viewportDragThresholdPx } from '../../src/input/viewport-drag';

describe('panBy', () => {
  // A 1600x1200 desktop at one CSS pixel per framebuffer pixel in a 1000x700 view.
  const pan = (p: { x: number; y: number }, dx: number, dy: number) =>
    panBy(p, dx, dy, 1600, 1200, 1000, 700);

  it('moves the content with the pointer: dragging left and up shows more of the right and bottom', () => {
    expect(pan({ x: 0, y: 0 }, -120, -80)).toEqual({ x: 120, y: 80 });
    expect(pan({ x: 120, y: 80 }, 20, 30)).toEqual({ x: 100, y: 50 });
  });

  it('stops at the far corner and at the origin', () => {
    expect(pan({ x: 550, y: 450 }, -5000, -5000)).toEqual({ x: 600, y: 500 });
    expect(pan({ x: 50, y: 50 }, 5000, 5000)).toEqual({ x: 0, y: 0 });
  });

  it('does not pan an axis where the content fits', () => {
    expect(panBy({ x: 0, y: 0 }, -300, -300, 800, 1200, 1000, 700)).toEqual({ x: 0, y: 300 });
  });

  it('reaches every framebuffer column and row by pieces', () => {
    let p = { x: 0, y: 0 };
    for (let i = 0; i < 100; i++) p = pan(p, -13, -11);
    expect(p).toEqual({ x: 600, y: 500 });
  });
});

describe('pointer mapping after a pan', () => {
  // The view's client origin, and a pointer at the view's bottom-right pixel.
  const view = { left: 40, top: 56, width: 1000, height: 700 };
  const layout = computeLayout(1600, 1200, 1, 1);
  /** What RFB does: client position minus the canvas's client rectangle (which the pan moves). */
  const mapped = (clientX: number, clientY: number, pan: { x: number; y: number }) =>
    toFramebuffer(clientX - (view.left - pan.x), clientY - (view.top - pan.y), layout);

  it('maps the same client point to framebuffer points offset by the pan', () => {
    const x = view.left + 10;
    const y = view.top + 20;
    expect(mapped(x, y, { x: 0, y: 0 })).toEqual({ x: 10, y: 20 });
    expect(mapped(x, y, { x: 300, y: 150 })).toEqual({ x: 310, y: 170 });
  });

  it('reaches the framebuffer corner once panned to the far corner', () => {
    const far = panBy({ x: 0, y: 0 }, -1e6, -1e6, 1600, 1200, view.width, view.height);
    const corner = mapped(view.left + view.width - 0.5, view.top + view.height - 0.5, far);
    expect(corner).toEqual({ x: 1599, y: 1199 });
  });

  it('maps a scaled canvas too (2 CSS px per framebuffer pixel)', () => {
    const big = computeLayout(1600, 1200, 2, 1);
    const p = toFramebuffer(view.left + 101 - (view.left - 400), 0, big);
    expect(p.x).toBe(250);
  });
});

describe('ViewportDrag', () => {
  it('is a click when the pointer stays within the threshold', () => {
    const d = new ViewportDrag();
    d.down(100, 100);
    expect(d.dragging).toBe(true);
    expect(d.move(100 + viewportDragThresholdPx, 100 - viewportDragThresholdPx)).toBeNull();
    expect(d.up()).toBe(true);
    expect(d.dragging).toBe(false);
  });

  it('pans once past the threshold, from where it was pressed, then by each move', () => {
    const d = new ViewportDrag();
    d.down(100, 100);
    expect(d.move(105, 100)).toBeNull();
    expect(d.move(100 + viewportDragThresholdPx + 1, 97)).toEqual({
      dx: viewportDragThresholdPx + 1,
      dy: -3,
    });
    // Back inside the threshold still pans: the drag has started.
    expect(d.move(100, 100)).toEqual({ dx: -(viewportDragThresholdPx + 1), dy: 3 });
    expect(d.up()).toBe(false);
  });

  it('ignores moves when no press is going on', () => {
    const d = new ViewportDrag();
    expect(d.move(500, 500)).toBeNull();
    expect(d.up()).toBe(false);
    d.down(0, 0);
    d.move(50, 0);
    d.up();
    expect(d.move(80, 0)).toBeNull();
    d.down(0, 0);
    expect(d.up()).toBe(true);
  });
});
