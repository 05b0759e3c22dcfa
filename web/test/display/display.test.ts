// Tests for Display: drawing into the RGBA framebuffer, damage-only flushes once per frame, resize, and ordering behind slow image decodes.

import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/decoders/decoder';
import { Display } from '../../src/display/display';
import type { DecodedImage, DecodeImage } from '../../src/display/images';
import { FakeCanvas, FakeFrames } from './fake-canvas';

function pixel(d: Display, x: number, y: number): number[] {
  const i = (y * d.width + x) * 4;
  return Array.from(d.framebuffer.subarray(i, i + 4));
}

function setup(w = 8, h = 6, decodeImage?: DecodeImage, onImageError?: (e: Error) => void) {
  const canvas = new FakeCanvas();
  const frames = new FakeFrames();
  const display = new Display(canvas, w, h, {
    requestFrame: frames.request,
    decodeImage,
    onImageError,
  });
  return { canvas, frames, display };
}

/** An image decode the test finishes by hand; the image is w x h of one colour. */
class SlowDecodes {
  readonly started: {
    mime: string;
    bytes: number[];
    resolve: () => void;
    reject: (e: Error) => void;
  }[] = [];
  closed = 0;

  readonly decode: DecodeImage = (data, mime) =>
    new Promise<DecodedImage>((resolve, reject) => {
      const [w, h, r, g, b] = data;
      this.started.push({
        mime,
        bytes: Array.from(data),
        resolve: () =>
          resolve({
            width: w,
            height: h,
            pixels: () => {
              const px = new Uint8ClampedArray(w * h * 4);
              for (let i = 0; i < w * h; i++) px.set([r, g, b, 128], i * 4);
              return px;
            },
            close: () => this.closed++,
          }),
        reject,
      });
    });
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('Display drawing', () => {
  it('starts opaque black and draws fills, blits (aligned or not) and copies', () => {
    const { display } = setup();
    expect(pixel(display, 7, 5)).toEqual([0, 0, 0, 255]);
    display.fillRect(1, 1, 3, 2, 10, 20, 30);
    expect(pixel(display, 1, 1)).toEqual([10, 20, 30, 255]);
    expect(pixel(display, 3, 2)).toEqual([10, 20, 30, 255]);
    expect(pixel(display, 4, 2)).toEqual([0, 0, 0, 255]);

    const src = new Uint8Array(1 + 2 * 2 * 4);
    for (let i = 0; i < 4; i++) src.set([i, 100 + i, 200 + i, 0], 1 + i * 4);
    display.blitRgbx(5, 3, 2, 2, src, 1); // unaligned
    expect(pixel(display, 5, 3)).toEqual([0, 100, 200, 255]);
    expect(pixel(display, 6, 4)).toEqual([3, 103, 203, 255]);
    display.blitRgbx(0, 4, 2, 2, src.slice(1)); // aligned
    expect(pixel(display, 1, 5)).toEqual([3, 103, 203, 255]);

    // Overlapping copy down and right: reads the source before writing.
    display.copyRect(1, 1, 2, 2, 3, 2);
    expect(pixel(display, 2, 2)).toEqual([10, 20, 30, 255]);
    expect(pixel(display, 4, 3)).toEqual([10, 20, 30, 255]);
    expect(pixel(display, 1, 1)).toEqual([10, 20, 30, 255]);
    // And up and left.
    display.copyRect(5, 3, 4, 2, 2, 2);
    expect(pixel(display, 4, 2)).toEqual([0, 100, 200, 255]);
    expect(pixel(display, 5, 3)).toEqual([3, 103, 203, 255]);
  });

  it('clips drawing that would leave the framebuffer', () => {
    const { display } = setup(4, 4);
    display.fillRect(2, 2, 10, 10, 1, 1, 1);
    display.copyRect(0, 0, 3, 3, 5, 5);
    expect(pixel(display, 3, 3)).toEqual([0, 0, 0, 255]);
    expect(display.framebuffer.length).toBe(64);
  });
});

describe('Display flushing', () => {
  it('asks for one frame for many draws and puts only the merged damage', () => {
    const { display, canvas, frames } = setup(64, 64);
    frames.run(); // the initial full-size damage
    canvas.ctx.puts.length = 0;
    frames.requests = 0;
    for (let x = 0; x < 32; x += 16) display.fillRect(x, 16, 16, 16, 9, 9, 9);
    display.fillRect(60, 60, 2, 2, 1, 2, 3);
    expect(frames.requests).toBe(1);
    expect(canvas.ctx.puts).toEqual([]);
    frames.run();
    expect(canvas.ctx.puts).toHaveLength(2);
    expect(canvas.ctx.puts).toContainEqual({ x: 0, y: 16, w: 32, h: 16 });
    expect(canvas.ctx.puts).toContainEqual({ x: 60, y: 60, w: 2, h: 2 });
    expect(Array.from(canvas.pixels)).toEqual(Array.from(display.framebuffer));
    // Nothing new: no frame requested, nothing put.
    frames.run();
    expect(frames.requests).toBe(1);
    display.fillRect(0, 0, 1, 1, 5, 5, 5);
    expect(frames.requests).toBe(2);
  });
});

describe('Display resize', () => {
  it('keeps the overlapping content, blackens the rest and resizes the canvas', () => {
    const { display, canvas, frames } = setup(4, 4);
    display.fillRect(0, 0, 4, 4, 7, 7, 7);
    display.resize(6, 3);
    expect([display.width, display.height, canvas.width, canvas.height]).toEqual([6, 3, 6, 3]);
    expect(pixel(display, 3, 2)).toEqual([7, 7, 7, 255]);
    expect(pixel(display, 4, 0)).toEqual([0, 0, 0, 255]);
    frames.run();
    expect(canvas.ctx.puts.at(-1)).toEqual({ x: 0, y: 0, w: 6, h: 3 });
    expect(Array.from(canvas.pixels)).toEqual(Array.from(display.framebuffer));
  });

  it('holds one framebuffer of the current size and releases the old ones across many resizes', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const { display, frames } = setup(64, 64);
    const old: WeakRef<ArrayBufferLike>[] = [];
    for (let i = 0; i < 300; i++) {
      old.push(new WeakRef(display.framebuffer.buffer));
      display.resize(64 + ((i * 37) % 900), 64 + ((i * 53) % 700));
      display.fillRect(0, 0, 10, 10, i & 255, 0, 0);
      frames.run();
    }
    display.resize(3840, 2160);
    expect(display.memoryBytes).toBe(3840 * 2160 * 4);
    await tick();
    gc();
    await tick();
    gc();
    expect(old.filter((r) => r.deref() !== undefined)).toHaveLength(0);
  });

  it('rejects a framebuffer over the size limits', () => {
    const { display } = setup();
    expect(() => display.resize(40000, 10)).toThrow(ProtocolError);
    expect(() => display.resize(16384, 16384)).toThrow(
      'framebuffer size 16384x16384 exceeds the client',
    );
  });
});

describe('Display image ordering', () => {
  it('holds later operations until an earlier slow image is drawn', async () => {
    const slow = new SlowDecodes();
    const { display, frames, canvas } = setup(8, 8, slow.decode);
    display.drawImage(0, 0, 4, 4, Uint8Array.from([4, 4, 200, 0, 0]), 'image/jpeg');
    expect(display.busy).toBe(true);
    const blit = new Uint8Array(4 * 4).fill(50);
    display.blitRgbx(2, 2, 2, 2, blit);
    blit.fill(99); // the caller reuses its buffer: the queued blit kept a copy
    display.fillRect(3, 3, 1, 1, 0, 0, 255);
    display.copyRect(0, 0, 6, 6, 2, 2);
    expect(pixel(display, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixel(display, 2, 2)).toEqual([0, 0, 0, 255]);
    expect(display.memoryBytes).toBe(8 * 8 * 4 + 16);

    let idle = false;
    const waiting = display.whenIdle().then(() => (idle = true));
    await tick();
    expect(idle).toBe(false);

    slow.started[0].resolve();
    await waiting;
    expect(display.busy).toBe(false);
    expect(display.memoryBytes).toBe(8 * 8 * 4);
    expect(pixel(display, 0, 0)).toEqual([200, 0, 0, 255]); // image, alpha forced opaque
    expect(pixel(display, 1, 1)).toEqual([200, 0, 0, 255]);
    expect(pixel(display, 2, 2)).toEqual([50, 50, 50, 255]); // blit over the image
    expect(pixel(display, 3, 3)).toEqual([0, 0, 255, 255]); // fill over the blit
    expect(pixel(display, 6, 6)).toEqual([200, 0, 0, 255]); // copy of the image
    expect(slow.closed).toBe(1);
    frames.run();
    expect(Array.from(canvas.pixels)).toEqual(Array.from(display.framebuffer));
    // With nothing pending, operations run at once again.
    display.fillRect(7, 7, 1, 1, 1, 1, 1);
    expect(pixel(display, 7, 7)).toEqual([1, 1, 1, 255]);
  });

  it('keeps order when a later image decodes first, and across a resize', async () => {
    const slow = new SlowDecodes();
    const { display } = setup(8, 8, slow.decode);
    display.drawImage(0, 0, 4, 4, Uint8Array.from([4, 4, 10, 0, 0]), 'image/jpeg');
    display.drawImage(2, 2, 4, 4, Uint8Array.from([4, 4, 20, 0, 0]), 'image/png');
    display.resize(10, 10);
    display.fillRect(9, 9, 1, 1, 30, 0, 0);
    expect(slow.started.map((s) => s.mime)).toEqual(['image/jpeg', 'image/png']); // both decode at once
    slow.started[1].resolve();
    await tick();
    expect(pixel(display, 3, 3)).toEqual([0, 0, 0, 255]);
    expect(display.width).toBe(8);
    slow.started[0].resolve();
    await display.whenIdle();
    expect(pixel(display, 0, 0)).toEqual([10, 0, 0, 255]);
    expect(pixel(display, 3, 3)).toEqual([20, 0, 0, 255]);
    expect(display.width).toBe(10);
    expect(pixel(display, 9, 9)).toEqual([30, 0, 0, 255]);
  });

  it('reports an image that cannot be decoded and goes on with the rest', async () => {
    const slow = new SlowDecodes();
    const errors: Error[] = [];
    const { display } = setup(8, 8, slow.decode, (e) => errors.push(e));
    display.drawImage(1, 2, 3, 4, Uint8Array.from([3, 4, 0, 0, 0]), 'image/jpeg');
    display.fillRect(0, 0, 1, 1, 5, 6, 7);
    slow.started[0].reject(new Error('bad huffman table'));
    await display.whenIdle();
    expect(errors.map((e) => e.message)).toEqual([
      'image/jpeg rectangle 3x4 at (1, 2): bad huffman table',
    ]);
    expect(pixel(display, 0, 0)).toEqual([5, 6, 7, 255]);
  });

  it('draws only the rectangle of an image larger than its rectangle', async () => {
    const slow = new SlowDecodes();
    const { display } = setup(8, 8, slow.decode);
    display.drawImage(6, 6, 2, 2, Uint8Array.from([5, 5, 9, 9, 9]), 'image/png');
    slow.started[0].resolve();
    await display.whenIdle();
    expect(pixel(display, 7, 7)).toEqual([9, 9, 9, 255]);
    expect(pixel(display, 5, 5)).toEqual([0, 0, 0, 255]);
  });
});
