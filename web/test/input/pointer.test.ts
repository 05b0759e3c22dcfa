// The pointer: button masks, throttled moves that never lose the last position or a button change, wheel steps.

import { describe, expect, it } from 'vitest';
import { PointerThrottle, rfbButtonMask } from '../../src/input/pointer';
import { FakeClock } from './fake-clock';

type Sent = [x: number, y: number, mask: number];

function setup(intervalMs = 16) {
  const sent: Sent[] = [];
  const clock = new FakeClock();
  const p = new PointerThrottle((x, y, mask) => sent.push([x, y, mask]), {
    intervalMs,
    now: () => clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
  });
  return { p, sent, clock };
}

describe('rfbButtonMask', () => {
  it('maps DOM buttons to buttons 1-3, 8 and 9', () => {
    expect(rfbButtonMask(0)).toBe(0);
    expect(rfbButtonMask(1)).toBe(1); // left
    expect(rfbButtonMask(4)).toBe(2); // middle
    expect(rfbButtonMask(2)).toBe(4); // right
    expect(rfbButtonMask(8)).toBe(128); // back: X button 8
    expect(rfbButtonMask(16)).toBe(256); // forward: X button 9, for the extended PointerEvent
    expect(rfbButtonMask(1 | 2 | 4 | 8)).toBe(1 | 2 | 4 | 128);
    expect(rfbButtonMask(1 | 8 | 16)).toBe(1 | 128 | 256);
  });
});

describe('PointerThrottle', () => {
  it('sends the first move at once and holds back later ones until the interval ends', () => {
    const { p, sent, clock } = setup();
    p.move(1, 1);
    clock.advance(5);
    p.move(2, 2);
    clock.advance(5);
    p.move(3, 3);
    expect(sent).toEqual([[1, 1, 0]]);
    clock.advance(5);
    expect(sent).toEqual([[1, 1, 0]]);
    clock.advance(1);
    expect(sent).toEqual([
      [1, 1, 0],
      [3, 3, 0],
    ]);
    expect(clock.pending).toBe(0);
  });

  it('sends a button change at once, with its position, replacing a held-back move', () => {
    const { p, sent, clock } = setup();
    p.move(10, 10);
    clock.advance(2);
    p.move(11, 11);
    p.setButtons(12, 12, 1);
    clock.advance(1);
    p.setButtons(12, 12, 0);
    clock.advance(100);
    expect(sent).toEqual([
      [10, 10, 0],
      [12, 12, 1],
      [12, 12, 0],
    ]);
  });

  it('keeps held buttons in moves', () => {
    const { p, sent, clock } = setup();
    p.setButtons(0, 0, 4);
    clock.advance(20);
    p.move(5, 6);
    p.setButtons(5, 6, 4); // the same buttons: just a move
    clock.advance(20);
    expect(sent).toEqual([
      [0, 0, 4],
      [5, 6, 4],
    ]);
    expect(p.buttons).toBe(4);
  });

  it('never drops the final position or a button change (random sequences)', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let run = 0; run < 50; run++) {
      const { p, sent, clock } = setup();
      const changes: number[] = [];
      let mask = 0;
      let x = 0;
      let y = 0;
      for (let i = 0; i < 200; i++) {
        clock.advance(Math.floor(random() * 10));
        x = Math.floor(random() * 1000);
        y = Math.floor(random() * 1000);
        if (random() < 0.1) {
          mask ^= 1 << Math.floor(random() * 3);
          changes.push(mask);
          p.setButtons(x, y, mask);
        } else p.move(x, y);
      }
      clock.advance(100);
      expect(sent.at(-1)).toEqual([x, y, mask]);
      // Every button change went out, in order, at the position it happened.
      const masks = sent.map((s) => s[2]).filter((m, i, all) => i === 0 || m !== all[i - 1]);
      expect(masks.filter((m, i) => i > 0 || m !== 0)).toEqual(
        changes.filter((m, i, all) => i === 0 || m !== all[i - 1]),
      );
      // And the throttle did throttle.
      expect(sent.length).toBeLessThan(200);
    }
  });

  it('flush sends a held-back move now', () => {
    const { p, sent, clock } = setup();
    p.move(1, 1);
    p.move(2, 2);
    p.flush();
    expect(sent).toEqual([
      [1, 1, 0],
      [2, 2, 0],
    ]);
    expect(clock.pending).toBe(0);
  });
});

describe('PointerThrottle wheel', () => {
  it('turns a mouse notch into whole wheel clicks (buttons 4 and 5)', () => {
    const { p, sent } = setup();
    expect(p.wheel(7, 8, 0, 100)).toBe(2);
    expect(sent).toEqual([
      [7, 8, 16],
      [7, 8, 0],
      [7, 8, 16],
      [7, 8, 0],
    ]);
    sent.length = 0;
    expect(p.wheel(7, 8, 0, -50)).toBe(1);
    expect(sent).toEqual([
      [7, 8, 8],
      [7, 8, 0],
    ]);
  });

  it('scrolls horizontally with buttons 6 and 7', () => {
    const { p, sent } = setup();
    p.wheel(1, 1, -50, 0);
    p.wheel(1, 1, 50, 0);
    expect(sent.map((s) => s[2])).toEqual([32, 0, 64, 0]);
  });

  it('adds up small trackpad deltas into clicks, keeping the remainder', () => {
    const { p, sent, clock } = setup();
    let clicks = 0;
    for (let i = 0; i < 25; i++) {
      clicks += p.wheel(1, 1, 0, 4);
      clock.advance(10);
    }
    expect(clicks).toBe(2); // 100 px
    expect(sent.filter((s) => s[2] === 16).length).toBe(2);
  });

  it('forgets a remainder when the gesture is over or reverses', () => {
    const { p, clock } = setup();
    expect(p.wheel(1, 1, 0, 30)).toBe(0);
    clock.advance(600);
    expect(p.wheel(1, 1, 0, 30)).toBe(0);
    expect(p.wheel(1, 1, 0, -30)).toBe(0);
    expect(p.wheel(1, 1, 0, -30)).toBe(1);
  });

  it('takes line and page deltas', () => {
    const { p } = setup();
    expect(p.wheel(1, 1, 0, 3, 1)).toBe(1); // 3 lines
    expect(p.wheel(1, 1, 0, 1, 2)).toBe(8); // a page
  });

  it('keeps held buttons while scrolling', () => {
    const { p, sent } = setup();
    p.setButtons(1, 1, 1);
    p.wheel(1, 1, 0, 50);
    expect(sent).toEqual([
      [1, 1, 1],
      [1, 1, 17],
      [1, 1, 1],
    ]);
  });
});
