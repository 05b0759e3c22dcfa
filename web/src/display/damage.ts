// Damage tracking: the framebuffer regions changed since the last flush, as a few merged rectangles.

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** At most this many rectangles are kept; past it the cheapest pair is merged. */
export const MAX_DAMAGE_RECTS = 16;
/** Two rectangles merge when their bounding box wastes at most this share of its area. */
export const DAMAGE_MERGE_WASTE = 0.25;

export class DamageRegion {
  private list: Rect[] = [];

  get rects(): readonly Rect[] {
    return this.list;
  }

  get isEmpty(): boolean {
    return this.list.length === 0;
  }

  clear(): void {
    this.list = [];
  }

  /** Adds a rectangle, merging it with those it overlaps or nearly fills a box with. */
  add(x: number, y: number, w: number, h: number): void {
    if (w <= 0 || h <= 0) return;
    let r: Rect = { x, y, w, h };
    for (let i = 0; i < this.list.length;) {
      const e = this.list[i];
      if (contains(e, r)) return;
      if (waste(e, r) <= DAMAGE_MERGE_WASTE * area(union(e, r))) {
        // Take e out and retry with the union: it may now absorb others.
        this.list[i] = this.list[this.list.length - 1];
        this.list.pop();
        r = union(e, r);
        i = 0;
      } else {
        i++;
      }
    }
    this.list.push(r);
    if (this.list.length > MAX_DAMAGE_RECTS) this.mergeCheapestPair();
  }

  /** Drops what lies outside a w x h framebuffer (after a resize). */
  clip(w: number, h: number): void {
    const kept: Rect[] = [];
    for (const r of this.list) {
      const x1 = Math.min(r.x + r.w, w);
      const y1 = Math.min(r.y + r.h, h);
      if (x1 > r.x && y1 > r.y) kept.push({ x: r.x, y: r.y, w: x1 - r.x, h: y1 - r.y });
    }
    this.list = kept;
  }

  private mergeCheapestPair(): void {
    let best = Infinity;
    let bi = 0;
    let bj = 1;
    for (let i = 0; i < this.list.length; i++) {
      for (let j = i + 1; j < this.list.length; j++) {
        const cost = waste(this.list[i], this.list[j]);
        if (cost < best) {
          best = cost;
          bi = i;
          bj = j;
        }
      }
    }
    const merged = union(this.list[bi], this.list[bj]);
    this.list.splice(bj, 1);
    this.list.splice(bi, 1);
    this.add(merged.x, merged.y, merged.w, merged.h);
  }
}

function area(r: Rect): number {
  return r.w * r.h;
}

function contains(a: Rect, b: Rect): boolean {
  return b.x >= a.x && b.y >= a.y && b.x + b.w <= a.x + a.w && b.y + b.h <= a.y + a.h;
}

function union(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    w: Math.max(a.x + a.w, b.x + b.w) - x,
    h: Math.max(a.y + a.h, b.y + b.h) - y,
  };
}

/** Pixels the bounding box of a and b covers that neither of them does. */
function waste(a: Rect, b: Rect): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  return area(union(a, b)) - (area(a) + area(b) - ix * iy);
}
