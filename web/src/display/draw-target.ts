// What decoders draw into: the framebuffer, in server coordinates.
//
// Pixels are 32 bpp true colour as the client requests them with
// SetPixelFormat: little-endian, red at shift 0, green 8, blue 16, so each
// pixel is the bytes R, G, B, X in memory, the order of canvas ImageData. The
// X byte is ignored (drawn as opaque).

/** The framebuffer's own pixels, lent to a decoder by DrawTarget.directPixels. */
export interface DirectPixels {
  /** The framebuffer as Uint32 pixels (little-endian R, G, B, A: 0xff000000 is opaque). */
  pixels: Uint32Array;
  /** Index in `pixels` of the rectangle's top-left pixel. */
  offset: number;
  /** Index distance from one row to the next. */
  stride: number;
}

export interface DrawTarget {
  /** Current framebuffer size. */
  readonly width: number;
  readonly height: number;

  /** Fills a rectangle with one colour (components 0..255). */
  fillRect(x: number, y: number, w: number, h: number, r: number, g: number, b: number): void;

  /** Copies a rectangle of the framebuffer (CopyRect semantics: source read before writes). */
  copyRect(srcX: number, srcY: number, x: number, y: number, w: number, h: number): void;

  /**
   * Draws w*h pixels of 4 bytes each (R, G, B, X) from `pixels`, starting at
   * byte `offset`, rows packed with no padding. The data is copied before
   * this returns, so the caller may reuse the buffer.
   */
  blitRgbx(x: number, y: number, w: number, h: number, pixels: Uint8Array, offset?: number): void;

  /**
   * Optional: lends the framebuffer itself for writing the w x h rectangle at (x, y), saving the
   * copy blitRgbx makes; null when that cannot be done now (then use blitRgbx). The caller writes
   * only opaque pixels and only inside the rectangle, then calls commitDirect with the same
   * rectangle before any other call on this target. The rectangle must lie in the framebuffer.
   */
  directPixels?(x: number, y: number, w: number, h: number): DirectPixels | null;

  /** Ends a write begun with directPixels: the rectangle's new pixels are to be shown. */
  commitDirect?(x: number, y: number, w: number, h: number): void;

  /**
   * Draws a compressed image (JPEG or PNG) at (x, y). Decoding is
   * asynchronous, but the display keeps drawing order: later operations wait
   * until this image is drawn. The bytes are not retained by the caller.
   */
  drawImage(
    x: number,
    y: number,
    w: number,
    h: number,
    data: Uint8Array,
    mime: 'image/jpeg' | 'image/png',
  ): void;
}
