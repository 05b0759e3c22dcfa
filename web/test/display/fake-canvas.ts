// A canvas and 2D context for Display tests in node: keeps the canvas pixels and records every putImageData.

import type { DisplayCanvas, DisplayContext } from '../../src/display/display';

export interface Put {
  x: number;
  y: number;
  w: number;
  h: number;
}

export class FakeContext implements DisplayContext {
  readonly puts: Put[] = [];
  created = 0;

  constructor(private readonly canvas: FakeCanvas) {}

  createImageData(sw: number, sh: number): ImageData {
    this.created++;
    return {
      width: sw,
      height: sh,
      data: new Uint8ClampedArray(sw * sh * 4),
      colorSpace: 'srgb',
    } as ImageData;
  }

  putImageData(
    img: ImageData,
    dx: number,
    dy: number,
    x: number,
    y: number,
    w: number,
    h: number,
  ): void {
    this.puts.push({ x, y, w, h });
    const c = this.canvas;
    for (let j = y; j < y + h; j++) {
      const s = (j * img.width + x) * 4;
      c.pixels.set(img.data.subarray(s, s + w * 4), ((dy + j) * c.width + dx + x) * 4);
    }
  }
}

export class FakeCanvas implements DisplayCanvas {
  private w = 300;
  private h = 150;
  /** What the canvas shows: RGBA, cleared (transparent) whenever its size is set. */
  pixels = new Uint8ClampedArray(300 * 150 * 4);
  readonly ctx = new FakeContext(this);
  sizeSets = 0;

  get width(): number {
    return this.w;
  }
  set width(v: number) {
    this.w = v;
    this.clear();
  }
  get height(): number {
    return this.h;
  }
  set height(v: number) {
    this.h = v;
    this.clear();
  }

  private clear(): void {
    this.sizeSets++;
    this.pixels = new Uint8ClampedArray(this.w * this.h * 4);
  }

  getContext(): DisplayContext {
    return this.ctx;
  }
}

/** A requestFrame that runs callbacks only when the test says a frame has come. */
export class FakeFrames {
  private pending: (() => void)[] = [];
  requests = 0;

  readonly request = (cb: () => void): void => {
    this.requests++;
    this.pending.push(cb);
  };

  run(): void {
    const cbs = this.pending;
    this.pending = [];
    for (const cb of cbs) cb();
  }
}
