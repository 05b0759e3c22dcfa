// Turns the server's cursor (RGBA) into a CSS cursor value, with a dot for invisible cursors.

/** Browsers ignore larger CSS cursor images. */
export const maxCssCursorSide = 128;

/** A 3x3 dot: black centre and ring on white, so it shows on any background. */
function dotCursor(): {
  rgba: Uint8Array;
  width: number;
  height: number;
  hotX: number;
  hotY: number;
} {
  const rgba = new Uint8Array(5 * 5 * 4);
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 5; x++) {
      const d = Math.max(Math.abs(x - 2), Math.abs(y - 2));
      if (d > 1) continue;
      const i = (y * 5 + x) * 4;
      const v = d === 0 ? 0 : 255;
      rgba.set([v, v, v, 255], i);
    }
  }
  return { rgba, width: 5, height: 5, hotX: 2, hotY: 2 };
}

function toDataUrl(rgba: Uint8Array, width: number, height: number): string | null {
  if (typeof document === 'undefined') return null;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const image = ctx.createImageData(width, height);
  image.data.set(rgba);
  ctx.putImageData(image, 0, 0);
  return canvas.toDataURL();
}

/**
 * The CSS `cursor` value for a server cursor. An empty or fully transparent
 * cursor gives "none", or the dot if `showDot`; a cursor too large for CSS
 * gives the dot.
 */
export function cssCursor(
  rgba: Uint8Array,
  width: number,
  height: number,
  hotX: number,
  hotY: number,
  showDot: boolean,
): string {
  let visible = false;
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 0) visible = true;
  if (!visible && !showDot) return 'none';
  if (!visible || width > maxCssCursorSide || height > maxCssCursorSide) {
    const dot = dotCursor();
    ({ rgba, width, height, hotX, hotY } = dot);
  }
  const url = toDataUrl(rgba, width, height);
  if (url === null) return 'default';
  return `url(${url}) ${Math.min(hotX, width - 1)} ${Math.min(hotY, height - 1)}, default`;
}
