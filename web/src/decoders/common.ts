// Limits on untrusted rectangle data and the checks and pixel helpers that several decoders share.

import type { DrawTarget } from '../display/draw-target';
import { ProtocolError } from './decoder';

/** Bytes per pixel on the wire: the client asks for 32 bpp true colour (R, G, B, X). */
export const BYTES_PER_PIXEL = 4;

/** Alpha bits of an opaque pixel in a little-endian Uint32 view of R, G, B, A bytes. */
export const OPAQUE = 0xff000000;

/**
 * The most compressed bytes accepted for `size` bytes of inflated data.
 * Deflate grows incompressible data only by a 5-byte header per stored block
 * and a few bytes per sync flush, so twice the size plus a margin admits any
 * real server while keeping what a hostile length can make us read
 * proportional to the rectangle.
 */
export function maxCompressedLength(size: number): number {
  return 2 * size + 1024;
}

/** Throws unless the rectangle lies inside the framebuffer. */
export function checkRect(
  encoding: string,
  x: number,
  y: number,
  w: number,
  h: number,
  target: DrawTarget,
): void {
  if (x + w > target.width || y + h > target.height) {
    throw new ProtocolError(
      `${encoding} rectangle ${w}x${h} at (${x}, ${y}) lies outside the ` +
        `${target.width}x${target.height} framebuffer`,
    );
  }
}

/** The opaque Uint32 pixel (little-endian R, G, B, A) for components at buf[i..i+2]. */
export function rgbAt(buf: Uint8Array, i: number): number {
  return (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | OPAQUE) >>> 0;
}

/**
 * A reusable scratch array of 32-bit pixels that grows on demand; a decoder
 * keeps one so that decoding allocates nothing per rectangle.
 */
export class PixelScratch {
  private buf = new Uint32Array(0);

  /** Returns a buffer of at least `pixels` entries (contents unspecified). */
  get(pixels: number): Uint32Array {
    if (this.buf.length < pixels) this.buf = new Uint32Array(pixels);
    return this.buf;
  }

  /** A byte view of the first `pixels` entries, as DrawTarget.blitRgbx takes. */
  bytes(pixels: number): Uint8Array {
    return new Uint8Array(this.buf.buffer, 0, pixels * 4);
  }

  release(): void {
    this.buf = new Uint32Array(0);
  }
}

/** Like PixelScratch, for bytes. */
export class ByteScratch {
  private buf: Uint8Array<ArrayBuffer> = new Uint8Array(0);

  get(bytes: number): Uint8Array<ArrayBuffer> {
    if (this.buf.length < bytes) this.buf = new Uint8Array(bytes);
    return this.buf;
  }

  release(): void {
    this.buf = new Uint8Array(0);
  }
}
