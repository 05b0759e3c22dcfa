// Tests for the remote screen's layout per resize mode, and the failure explanations.

import { describe, expect, it } from 'vitest';
import { explainFailure, isClipped, screenLayout } from '../../src/ui/layout';

describe('screenLayout', () => {
  it('is null until the framebuffer size is known', () => {
    expect(screenLayout(0, 0, 800, 600, 'scale', 1)).toBeNull();
  });

  it('off and remote: one CSS pixel per framebuffer pixel, crisp at whole device scales', () => {
    for (const mode of ['off', 'remote'] as const) {
      const l = screenLayout(1024, 768, 500, 400, mode, 2)!;
      expect([l.cssWidth, l.cssHeight, l.deviceScale, l.imageRendering]).toEqual([
        1024,
        768,
        2,
        'pixelated',
      ]);
    }
  });

  it('scale: fits the view keeping the aspect ratio, never enlarges', () => {
    const l = screenLayout(1600, 1000, 800, 800, 'scale', 1)!;
    expect([l.cssWidth, l.cssHeight, l.imageRendering]).toEqual([800, 500, 'auto']);
    const small = screenLayout(640, 480, 1280, 1024, 'scale', 1)!;
    expect([small.cssWidth, small.cssHeight]).toEqual([640, 480]);
  });

  it('scale on HiDPI: a half-size fit on a 2x screen is one device pixel per pixel, crisp', () => {
    const l = screenLayout(2048, 1536, 1024, 900, 'scale', 2)!;
    expect([l.cssWidth, l.cssHeight, l.deviceScale, l.imageRendering]).toEqual([
      1024,
      768,
      1,
      'pixelated',
    ]);
  });
});

describe('explainFailure', () => {
  it('tells a lost connection from an unreachable server', () => {
    expect(explainFailure('connection closed during the handshake (code 1006)', false)).toEqual({
      title: 'Cannot reach the VNC server',
      detail: 'Check that it is running, and the host, port and path in Settings.',
    });
    expect(explainFailure(undefined, true).title).toBe('Connection lost');
    expect(explainFailure('VeNCrypt TLS subtypes need TLS', false).detail).toMatch(/security type/);
    expect(explainFailure('something odd', false).detail).toMatch(/Check the settings/);
  });
});

describe('isClipped', () => {
  const layout = screenLayout(1600, 1200, 1000, 700, 'off', 1);

  it('is true with view_clip (or remote resizing) and a desktop larger than the view', () => {
    expect(isClipped(layout, 1000, 700, 'off', true)).toBe(true);
    expect(isClipped(layout, 1000, 1300, 'off', true)).toBe(true);
    expect(isClipped(layout, 1000, 700, 'remote', false)).toBe(true);
  });

  it('is false when scrollbars show, when scaled, when it fits, and before the first frame', () => {
    expect(isClipped(layout, 1000, 700, 'off', false)).toBe(false);
    expect(
      isClipped(screenLayout(1600, 1200, 1000, 700, 'scale', 1), 1000, 700, 'scale', true),
    ).toBe(false);
    expect(isClipped(layout, 1600, 1200, 'off', true)).toBe(false);
    expect(isClipped(null, 1000, 700, 'off', true)).toBe(false);
  });
});
