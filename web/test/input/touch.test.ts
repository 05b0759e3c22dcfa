// Touch gestures from synthesized touch sequences, and what each does on the server.

import { describe, expect, it } from 'vitest';
import { PointerThrottle } from '../../src/input/pointer';
import type { Gesture } from '../../src/input/touch';
import { GesturePointer, GestureRecognizer } from '../../src/input/touch';
import { FakeClock } from './fake-clock';

function setup() {
  const clock = new FakeClock();
  const gestures: Gesture[] = [];
  const pointerSent: [number, number, number][] = [];
  const keys: [number, string, boolean][] = [];
  const pointer = new PointerThrottle((x, y, m) => pointerSent.push([x, y, m]), {
    intervalMs: 0,
    now: () => clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
  });
  const gp = new GesturePointer(
    pointer,
    (k, c, d) => keys.push([k, c, d]),
    (x, y) => [x, y],
  );
  const r = new GestureRecognizer(
    (g) => {
      gestures.push(g);
      gp.handle(g);
    },
    { setTimer: clock.setTimer, clearTimer: clock.clearTimer },
  );
  const summary = () => gestures.map((g) => `${g.phase} ${g.type} ${g.x},${g.y}`);
  return { r, clock, gestures, pointerSent, keys, summary };
}

describe('GestureRecognizer', () => {
  it('one-finger tap: a left click where the finger landed', () => {
    const t = setup();
    t.r.touchStart(1, 100, 100, 0);
    t.r.touchMove(1, 104, 102);
    t.r.touchEnd(1, 104, 102, 150);
    expect(t.summary()).toEqual(['start onetap 100,100', 'end onetap 100,100']);
    expect(t.pointerSent).toEqual([
      [100, 100, 0],
      [100, 100, 1],
      [100, 100, 0],
    ]);
    t.clock.advance(5000);
    expect(t.gestures.length).toBe(2); // no long press afterwards
  });

  it('two-finger tap: a right click; three-finger tap: a middle click', () => {
    const t = setup();
    t.r.touchStart(1, 100, 100, 0);
    t.r.touchStart(2, 200, 100, 20);
    t.r.touchEnd(1, 100, 100, 100);
    t.r.touchEnd(2, 200, 100, 110);
    t.r.touchStart(3, 100, 100, 500);
    t.r.touchStart(4, 120, 100, 510);
    t.r.touchStart(5, 140, 100, 520);
    t.r.touchEnd(3, 100, 100, 600);
    t.r.touchEnd(4, 120, 100, 600);
    t.r.touchEnd(5, 140, 100, 600);
    expect(t.summary()).toEqual([
      'start twotap 150,100',
      'end twotap 150,100',
      'start threetap 110,100',
      'end threetap 110,100',
    ]);
    expect(t.pointerSent.map((s) => s[2])).toEqual([0, 4, 0, 0, 2, 0]);
  });

  it('no tap when the fingers stayed down too long', () => {
    const t = setup();
    t.r.touchStart(1, 100, 100, 0);
    t.r.touchStart(2, 200, 100, 0);
    t.clock.advance(1500);
    t.r.touchEnd(1, 100, 100, 1500);
    t.r.touchEnd(2, 200, 100, 1500);
    expect(t.gestures).toEqual([]);
  });

  it('drag: left button down where the finger landed, moves, up at the end', () => {
    const t = setup();
    t.r.touchStart(1, 100, 100, 0);
    t.r.touchMove(1, 115, 100);
    t.r.touchMove(1, 150, 120);
    t.r.touchEnd(1, 150, 120, 300);
    expect(t.summary()).toEqual([
      'start drag 100,100',
      'move drag 115,100',
      'move drag 150,120',
      'end drag 150,120',
    ]);
    expect(t.pointerSent).toEqual([
      [100, 100, 0],
      [100, 100, 1],
      [115, 100, 1],
      [150, 120, 1],
      [150, 120, 0],
    ]);
  });

  it('long press: the right button held until the finger lifts, dragging with it', () => {
    const t = setup();
    t.r.touchStart(1, 50, 60, 0);
    t.clock.advance(999);
    expect(t.gestures).toEqual([]);
    t.clock.advance(1);
    t.r.touchMove(1, 80, 60);
    t.r.touchEnd(1, 80, 60, 1500);
    expect(t.summary()).toEqual([
      'start longpress 50,60',
      'move longpress 80,60',
      'end longpress 80,60',
    ]);
    expect(t.pointerSent).toEqual([
      [50, 60, 0],
      [50, 60, 4],
      [80, 60, 4],
      [80, 60, 0],
    ]);
  });

  it('two-finger drag: scrolls with the wheel, following the fingers', () => {
    const t = setup();
    t.r.touchStart(1, 100, 300, 0);
    t.r.touchStart(2, 200, 300, 0);
    t.r.touchMove(1, 100, 240);
    t.r.touchMove(2, 200, 240); // both up by 60
    t.r.touchMove(1, 100, 190);
    t.r.touchMove(2, 200, 190); // up by 110 in all
    t.r.touchEnd(1, 100, 190, 400);
    t.r.touchEnd(2, 200, 190, 400);
    expect(t.gestures[0]).toMatchObject({ phase: 'start', type: 'twodrag' });
    expect(t.gestures.at(-1)).toMatchObject({ phase: 'end', type: 'twodrag', dy: -110 });
    // Fingers up = content up = scroll down (button 5), one click per 50 px.
    expect(t.pointerSent.filter((s) => s[2] !== 0).map((s) => s[2])).toEqual([16, 16]);
  });

  it('pinch: Ctrl held while the wheel follows the spread', () => {
    const t = setup();
    t.r.touchStart(1, 100, 100, 0);
    t.r.touchStart(2, 200, 100, 0);
    t.r.touchMove(2, 300, 100); // spread 100 -> 200
    t.r.touchMove(2, 260, 100); // back to 160
    t.r.touchEnd(2, 260, 100, 500);
    t.r.touchEnd(1, 100, 100, 500);
    expect(t.gestures[0]).toMatchObject({ phase: 'start', type: 'pinch', startDistance: 100 });
    expect(t.keys).toEqual([
      [0xffe3, 'ControlLeft', true],
      [0xffe3, 'ControlLeft', false],
    ]);
    // Two steps in (wheel up), then one back out (wheel down).
    expect(t.pointerSent.filter((s) => s[2] !== 0).map((s) => s[2])).toEqual([8, 8, 16]);
  });

  it('ignores fingers after the gesture until all are up', () => {
    const t = setup();
    t.r.touchStart(1, 100, 100, 0);
    t.r.touchMove(1, 140, 100);
    t.r.touchStart(2, 300, 300, 100);
    t.r.touchEnd(1, 140, 100, 200);
    t.r.touchMove(2, 350, 300);
    t.r.touchEnd(2, 350, 300, 300);
    expect(t.summary()).toEqual(['start drag 100,100', 'move drag 140,100', 'end drag 140,100']);
    // A new touch starts afresh.
    t.r.touchStart(3, 10, 10, 1000);
    t.r.touchEnd(3, 10, 10, 1050);
    expect(t.summary().slice(-2)).toEqual(['start onetap 10,10', 'end onetap 10,10']);
  });

  it('a cancelled touch ends the gesture', () => {
    const t = setup();
    t.r.touchStart(1, 100, 100, 0);
    t.r.touchMove(1, 140, 100);
    t.r.touchCancel(1);
    expect(t.summary().at(-1)).toBe('end drag 140,100');
    expect(t.pointerSent.at(-1)).toEqual([140, 100, 0]);
  });
});
