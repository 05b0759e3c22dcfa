// Decoding JPEG and PNG rectangles to RGBA pixels off the main thread's parser: createImageBitmap plus a reusable readback canvas.

export type ImageMime = 'image/jpeg' | 'image/png';

/** A decoded image, ready to be read into the framebuffer. */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** The pixels, RGBA, width * height * 4 bytes, rows packed. Called once, in drawing order. */
  pixels(): Uint8ClampedArray | Uint8Array;
  /** Releases the decoded image. */
  close(): void;
}

/** Starts decoding compressed image bytes; the promise rejects on corrupt data. */
export type DecodeImage = (data: Uint8Array, mime: ImageMime) => Promise<DecodedImage>;

/**
 * The browser's decoder: createImageBitmap on a Blob of the bytes (never a
 * data URL), read back through one small software canvas that is reused for
 * every image. Works in a worker (OffscreenCanvas) and on a page.
 */
export function createBitmapDecoder(): DecodeImage {
  let readback: OffscreenCanvas | null = null;
  let readbackCtx: OffscreenCanvasRenderingContext2D | null = null;

  const readPixels = (bitmap: ImageBitmap): Uint8ClampedArray => {
    const { width, height } = bitmap;
    if (readback === null || readback.width < width || readback.height < height) {
      readback = new OffscreenCanvas(
        Math.max(width, readback?.width ?? 0),
        Math.max(height, readback?.height ?? 0),
      );
      // willReadFrequently keeps the canvas in memory, so reading back is a copy, not a GPU download.
      readbackCtx = readback.getContext('2d', { willReadFrequently: true });
    }
    if (readbackCtx === null) throw new Error('no 2d context for image readback');
    readbackCtx.clearRect(0, 0, width, height);
    readbackCtx.drawImage(bitmap, 0, 0);
    return readbackCtx.getImageData(0, 0, width, height).data;
  };

  return async (data, mime) => {
    const blob = new Blob([data as Uint8Array<ArrayBuffer>], { type: mime });
    const bitmap = await createImageBitmap(blob, {
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    });
    return {
      width: bitmap.width,
      height: bitmap.height,
      pixels: () => readPixels(bitmap),
      close: () => bitmap.close(),
    };
  };
}
