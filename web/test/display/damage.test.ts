// Tests for damage tracking: merging adjacent and overlapping rectangles, keeping distant ones apart, the cap, clipping.

import { describe, expect, it } from 'vitest';
import { DamageRegion, MAX_DAMAGE_RECTS } from '../../src/display/damage';

describe('DamageRegion', () => {
  it('merges a row of adjacent tiles, then rows below, into one rectangle', () => {
    const d = new DamageRegion();
    for (let y = 0; y < 64; y += 16) for (let x = 0; x < 128; x += 16) d.add(x, y, 16, 16);
    expect(d.rects).toEqual([{ x: 0, y: 0, w: 128, h: 64 }]);
  });

  it('ignores a rectangle inside one already damaged, and empty ones', () => {
    const d = new DamageRegion();
    d.add(10, 10, 100, 100);
    d.add(20, 30, 5, 5);
    d.add(50, 50, 0, 10);
    expect(d.rects).toEqual([{ x: 10, y: 10, w: 100, h: 100 }]);
  });

  it('keeps distant rectangles apart and merges overlapping ones', () => {
    const d = new DamageRegion();
    d.add(0, 0, 10, 10);
    d.add(500, 500, 10, 10);
    d.add(5, 0, 10, 10);
    expect(d.rects).toHaveLength(2);
    expect(d.rects).toContainEqual({ x: 0, y: 0, w: 15, h: 10 });
    expect(d.rects).toContainEqual({ x: 500, y: 500, w: 10, h: 10 });
  });

  it('merges a union that absorbs further rectangles', () => {
    const d = new DamageRegion();
    d.add(0, 0, 10, 10);
    d.add(20, 0, 10, 10);
    d.add(10, 0, 10, 10); // joins both
    expect(d.rects).toEqual([{ x: 0, y: 0, w: 30, h: 10 }]);
  });

  it('never holds more than MAX_DAMAGE_RECTS, and still covers everything', () => {
    const d = new DamageRegion();
    const added: [number, number][] = [];
    for (let i = 0; i < 200; i++) {
      const x = (i * 97) % 1900;
      const y = (i * 61) % 1000;
      d.add(x, y, 3, 3);
      added.push([x, y]);
      expect(d.rects.length).toBeLessThanOrEqual(MAX_DAMAGE_RECTS);
    }
    for (const [x, y] of added) {
      expect(
        d.rects.some((r) => x >= r.x && y >= r.y && x + 3 <= r.x + r.w && y + 3 <= r.y + r.h),
      ).toBe(true);
    }
  });

  it('clips to a smaller framebuffer', () => {
    const d = new DamageRegion();
    d.add(0, 0, 100, 10);
    d.add(0, 500, 10, 10);
    d.clip(50, 50);
    expect(d.rects).toEqual([{ x: 0, y: 0, w: 50, h: 10 }]);
    d.clear();
    expect(d.isEmpty).toBe(true);
  });
});
