// Sizing the canvas on the page: CSS size for a scale factor and devicePixelRatio, fit-to-window scale, panning and pointer mapping.

/** Device pixels per framebuffer pixel this close to a whole number are snapped to it. */
export const SCALE_SNAP_EPSILON = 0.01;

export interface CanvasLayout {
  /** The canvas backing store: always the framebuffer size, one canvas pixel per framebuffer pixel. */
  canvasWidth: number;
  canvasHeight: number;
  /** The canvas element's CSS size, a whole number of device pixels. */
  cssWidth: number;
  cssHeight: number;
  /** Device pixels per framebuffer pixel. */
  deviceScale: number;
  /** 'pixelated' when deviceScale is whole (crisp, every pixel the same size), else 'auto' (smoothed). */
  imageRendering: 'pixelated' | 'auto';
}

/**
 * Lays out a framebuffer at `scale` CSS pixels per framebuffer pixel on a
 * screen of `devicePixelRatio`. A scale whose device scale is nearly whole
 * (1, 2, 3 at any ratio) is snapped to it and drawn pixelated, so that text
 * stays sharp on HiDPI screens; other scales are smoothed. nativeScale()
 * gives one device pixel per framebuffer pixel.
 */
export function computeLayout(
  fbWidth: number,
  fbHeight: number,
  scale: number,
  devicePixelRatio: number,
): CanvasLayout {
  const dpr = devicePixelRatio > 0 ? devicePixelRatio : 1;
  let k = scale * dpr;
  const whole = Math.round(k);
  const snapped = whole >= 1 && Math.abs(k - whole) < SCALE_SNAP_EPSILON;
  if (snapped) k = whole;
  return {
    canvasWidth: fbWidth,
    canvasHeight: fbHeight,
    cssWidth: Math.round(fbWidth * k) / dpr,
    cssHeight: Math.round(fbHeight * k) / dpr,
    deviceScale: k,
    imageRendering: snapped ? 'pixelated' : 'auto',
  };
}

/** The scale that shows one framebuffer pixel per device pixel. */
export function nativeScale(devicePixelRatio: number): number {
  return devicePixelRatio > 0 ? 1 / devicePixelRatio : 1;
}

/**
 * The largest scale (CSS pixels per framebuffer pixel) at which the
 * framebuffer fits a view of viewWidth x viewHeight CSS pixels; at most 1
 * unless `upscale`.
 */
export function fitScale(
  fbWidth: number,
  fbHeight: number,
  viewWidth: number,
  viewHeight: number,
  upscale = false,
): number {
  if (fbWidth <= 0 || fbHeight <= 0 || viewWidth <= 0 || viewHeight <= 0) return 1;
  const s = Math.min(viewWidth / fbWidth, viewHeight / fbHeight);
  return upscale ? s : Math.min(1, s);
}

/**
 * Clipping: the pan offset (CSS pixels, how far the content is scrolled)
 * clamped so that a view of `viewSize` never shows past the content's edges;
 * 0 when the content fits.
 */
export function clampPan(pan: number, contentSize: number, viewSize: number): number {
  return Math.max(0, Math.min(pan, contentSize - viewSize));
}

/**
 * Maps a point in the canvas element's CSS pixels to framebuffer
 * coordinates, clamped to the framebuffer.
 */
export function toFramebuffer(
  cssX: number,
  cssY: number,
  layout: CanvasLayout,
): { x: number; y: number } {
  const sx = layout.cssWidth > 0 ? layout.canvasWidth / layout.cssWidth : 1;
  const sy = layout.cssHeight > 0 ? layout.canvasHeight / layout.cssHeight : 1;
  return {
    x: Math.max(0, Math.min(layout.canvasWidth - 1, Math.floor(cssX * sx))),
    y: Math.max(0, Math.min(layout.canvasHeight - 1, Math.floor(cssY * sy))),
  };
}
