// Direct writes (DrawTarget.directPixels): Tight and ZRLE draw the same pixels into a lent framebuffer as through blitRgbx, without blitting.

import { describe, expect, it } from 'vitest';
import { TightDecoder } from '../../src/decoders/tight';
import { ZRLEDecoder } from '../../src/decoders/zrle';
import { Display } from '../../src/display/display';
import { FakeCanvas, FakeFrames } from '../display/fake-canvas';
import { TightEncoder, encodeZRLE } from './encoders';
import type { TightMode, ZrleMode } from './encoders';
import {
  DeflateStream,
  DirectFakeTarget,
  FakeTarget,
  Model,
  concat,
  cycleImage,
  expectPixels,
  feed,
  gradientImage,
  makeImage,
  noiseImage,
  paletteImage,
} from './helpers';
import type { Img, RectSpec } from './helpers';

interface Session {
  model: Model;
  rects: RectSpec[];
  data: Uint8Array;
}

/** Tight rectangles of every basic kind (and a fill), away from the framebuffer's left edge. */
async function tightSession(): Promise<Session> {
  const enc = new TightEncoder();
  const model = new Model(70, 40);
  const rects: RectSpec[] = [];
  const parts: Uint8Array[] = [];
  const add = async (x: number, y: number, img: Img, mode: TightMode, stream = 0) => {
    model.put(x, y, img);
    rects.push({ x, y, w: img.w, h: img.h });
    parts.push(await enc.encode(img, mode, { stream }));
  };
  await add(
    0,
    0,
    makeImage(70, 40, () => 0x204060),
    'fill',
  );
  await add(3, 2, noiseImage(17, 9, 1), 'copy', 0);
  await add(22, 2, cycleImage(13, 7, 2, 2), 'palette', 1); // 1 bit per pixel, padded rows
  await add(40, 2, paletteImage(21, 11, 9, 3), 'palette', 1);
  await add(5, 15, gradientImage(30, 20, 4), 'gradient', 2);
  await add(40, 20, noiseImage(29, 19, 5), 'copy', 3);
  return { model, rects, data: concat(...parts) };
}

/** ZRLE rectangles in every subencoding, several tiles wide and high with partial edge tiles. */
async function zrleSession(): Promise<Session> {
  const stream = new DeflateStream();
  const model = new Model(160, 150);
  const rects: RectSpec[] = [];
  const parts: Uint8Array[] = [];
  const modes: ZrleMode[] = ['raw', 'solid', 'packed', 'plainRle', 'paletteRle'];
  const images = [noiseImage(150, 70, 6), cycleImage(150, 70, 5, 7), paletteImage(150, 70, 12, 8)];
  for (const [i, mode] of modes.entries()) {
    const img = mode === 'solid' ? makeImage(150, 70, () => 0x10e0a0) : images[i % images.length];
    const x = 3 + i;
    const y = (i % 2) * 75 + 2;
    model.put(x, y, img);
    rects.push({ x, y, w: img.w, h: img.h });
    parts.push(await encodeZRLE(img, stream, (tile) => (tile % 2 ? mode : 'raw')));
  }
  return { model, rects, data: concat(...parts) };
}

const cases = [
  { name: 'Tight', session: tightSession, decoder: () => new TightDecoder() },
  { name: 'ZRLE', session: zrleSession, decoder: () => new ZRLEDecoder() },
];

describe('direct writes into the framebuffer', () => {
  for (const c of cases) {
    it(`${c.name}: the same pixels as through blitRgbx, and no blit, whole or byte by byte`, async () => {
      const { model, rects, data } = await c.session();
      for (const sizes of [[data.length], Array<number>(data.length).fill(1)]) {
        const blitted = new FakeTarget(model.width, model.height);
        feed(c.decoder(), blitted, rects, data, sizes);
        expectPixels(blitted.rgba, model.rgba, model.width);
        const direct = new DirectFakeTarget(model.width, model.height);
        feed(c.decoder(), direct, rects, data, sizes);
        expectPixels(direct.rgba, model.rgba, model.width);
        expect(direct.blits).toBe(0);
        expect(direct.commits).toBeGreaterThan(0);
      }
    });

    it(`${c.name}: a target that declines (returns null) gets blits instead`, async () => {
      const { model, rects, data } = await c.session();
      const target = new DirectFakeTarget(model.width, model.height);
      target.lend = false;
      feed(c.decoder(), target, rects, data, [data.length]);
      expectPixels(target.rgba, model.rgba, model.width);
      expect(target.commits).toBe(0);
      expect(target.blits).toBeGreaterThan(0);
    });

    it(`${c.name}: through Display, framebuffer and canvas match the blitted result`, async () => {
      const { model, rects, data } = await c.session();
      const canvas = new FakeCanvas();
      const frames = new FakeFrames();
      const display = new Display(canvas, model.width, model.height, {
        requestFrame: frames.request,
      });
      // The model starts from FakeTarget's colour: paint it first, as a blit.
      display.blitRgbx(
        0,
        0,
        model.width,
        model.height,
        new FakeTarget(model.width, model.height).rgba,
      );
      feed(c.decoder(), display, rects, data, [data.length]);
      expectPixels(new Uint8Array(display.framebuffer.buffer), model.rgba, model.width);
      frames.run();
      expectPixels(new Uint8Array(canvas.pixels.buffer), model.rgba, model.width);
    });
  }
});
