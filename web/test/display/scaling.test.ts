// Tests for canvas layout: CSS size at any devicePixelRatio, snapping to whole device pixels, fit, pan clamping, pointer mapping.

import { describe, expect, it } from 'vitest';
import {
  clampPan,
  computeLayout,
  fitScale,
  nativeScale,
  toFramebuffer,
} from '../../src/display/scaling';

describe('computeLayout', () => {
  it('keeps the canvas at framebuffer size and sizes it in CSS pixels', () => {
    expect(computeLayout(1920, 1080, 1, 1)).toEqual({
      canvasWidth: 1920,
      canvasHeight: 1080,
      cssWidth: 1920,
      cssHeight: 1080,
      deviceScale: 1,
      imageRendering: 'pixelated',
    });
  });

  it('draws 2 device pixels per framebuffer pixel, pixelated, at scale 1 on a 2x screen', () => {
    const l = computeLayout(800, 600, 1, 2);
    expect([l.cssWidth, l.cssHeight, l.deviceScale, l.imageRendering]).toEqual([
      800,
      600,
      2,
      'pixelated',
    ]);
  });

  it('maps one framebuffer pixel to one device pixel at the native scale, at any ratio', () => {
    for (const dpr of [1, 1.25, 1.5, 2, 3, 2.625]) {
      const l = computeLayout(1366, 768, nativeScale(dpr), dpr);
      expect(l.deviceScale).toBe(1);
      expect(l.imageRendering).toBe('pixelated');
      expect(l.cssWidth * dpr).toBeCloseTo(1366, 9);
      expect(l.cssHeight * dpr).toBeCloseTo(768, 9);
    }
  });

  it('smooths fractional device scales and keeps whole device pixels', () => {
    const l = computeLayout(1001, 501, 1, 1.5);
    expect(l.imageRendering).toBe('auto');
    expect(l.deviceScale).toBe(1.5);
    expect(Number.isInteger(l.cssWidth * 1.5)).toBe(true);
    expect(Math.round(l.cssWidth * 1.5)).toBe(1502);
    const down = computeLayout(3840, 2160, 0.5, 1);
    expect([down.cssWidth, down.imageRendering]).toEqual([1920, 'auto']);
  });

  it('snaps a device scale within epsilon of a whole number', () => {
    const l = computeLayout(100, 100, 1.004, 2);
    expect(l.deviceScale).toBe(2);
    expect(l.cssWidth).toBe(100);
  });
});

describe('fitScale, clampPan, toFramebuffer', () => {
  it('fits the framebuffer to the view, not upscaling unless asked', () => {
    expect(fitScale(3840, 2160, 1920, 1200)).toBe(0.5);
    expect(fitScale(800, 600, 1920, 1200)).toBe(1);
    expect(fitScale(800, 600, 1920, 1200, true)).toBe(2);
    expect(fitScale(0, 600, 10, 10)).toBe(1);
  });

  it('clamps panning so the view stays inside the content', () => {
    expect(clampPan(-5, 1000, 400)).toBe(0);
    expect(clampPan(300, 1000, 400)).toBe(300);
    expect(clampPan(900, 1000, 400)).toBe(600);
    expect(clampPan(50, 300, 400)).toBe(0);
  });

  it('maps CSS coordinates back to framebuffer pixels', () => {
    const l = computeLayout(1000, 500, 0.5, 2);
    expect(toFramebuffer(0, 0, l)).toEqual({ x: 0, y: 0 });
    expect(toFramebuffer(250.4, 100, l)).toEqual({ x: 500, y: 200 });
    expect(toFramebuffer(10000, -3, l)).toEqual({ x: 999, y: 0 });
  });
});
