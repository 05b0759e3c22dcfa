// Where the page puts the remote screen: the canvas's CSS size for a resize mode, sharp on HiDPI screens.

import { computeLayout, fitScale } from '../display/scaling';
import type { CanvasLayout } from '../display/scaling';
import type { ResizeMode } from './settings';

/**
 * The layout of a framebuffer of fbWidth x fbHeight in a view of viewWidth x
 * viewHeight CSS pixels: 'scale' shrinks it to fit (never enlarges), 'off' and
 * 'remote' show one CSS pixel per framebuffer pixel. Whole device scales are
 * drawn pixelated (crisp); returns null until the framebuffer size is known.
 */
export function screenLayout(
  fbWidth: number,
  fbHeight: number,
  viewWidth: number,
  viewHeight: number,
  mode: ResizeMode,
  devicePixelRatio: number,
): CanvasLayout | null {
  if (fbWidth <= 0 || fbHeight <= 0) return null;
  const scale = mode === 'scale' ? fitScale(fbWidth, fbHeight, viewWidth, viewHeight) : 1;
  return computeLayout(fbWidth, fbHeight, scale, devicePixelRatio);
}

/**
 * True when the view hides part of the remote screen with no scrollbars, so that only dragging
 * the viewport reaches the rest: clipping is on (view_clip, or resize=remote, whose view has no
 * scrollbars) and the canvas is larger than the view either way. resize=scale always fits.
 */
export function isClipped(
  layout: CanvasLayout | null,
  viewWidth: number,
  viewHeight: number,
  mode: ResizeMode,
  viewClip: boolean,
): boolean {
  if (!layout || mode === 'scale' || !(viewClip || mode === 'remote')) return false;
  return layout.cssWidth > viewWidth || layout.cssHeight > viewHeight;
}

/**
 * What to tell a person after a failed connection, from the client's reason
 * text: a short title and a sentence on what to check.
 */
export function explainFailure(
  reason: string | undefined,
  wasConnected: boolean,
): { title: string; detail: string } {
  const r = (reason ?? '').toLowerCase();
  if (wasConnected) {
    return { title: 'Connection lost', detail: 'The connection to the remote desktop was lost.' };
  }
  if (/tls|vencrypt/.test(r)) {
    return {
      title: 'Cannot connect',
      detail: 'The server needs a security type this browser cannot use.',
    };
  }
  if (/handshake|1006|refused|websocket|closed/.test(r)) {
    return {
      title: 'Cannot reach the VNC server',
      detail: 'Check that it is running, and the host, port and path in Settings.',
    };
  }
  return { title: 'Cannot connect', detail: 'Check the settings and try again.' };
}
