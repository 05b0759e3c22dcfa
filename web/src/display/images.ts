// Decoding JPEG and PNG rectangles to RGBA pixels: WebCodecs' ImageDecoder for JPEG where it exists, else createImageBitmap plus a reusable readback canvas.

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

/** What the decoder uses of a WebCodecs VideoFrame. */
export interface CodecsFrame {
  readonly visibleRect: { readonly width: number; readonly height: number } | null;
  allocationSize(options?: VideoFrameCopyToOptions): number;
  copyTo(destination: Uint8Array<ArrayBuffer>, options?: VideoFrameCopyToOptions): Promise<unknown>;
  close(): void;
}

/** What the decoder uses of WebCodecs' ImageDecoder (an instance). */
export interface CodecsImageDecoder {
  decode(): Promise<{ readonly image: CodecsFrame }>;
  close(): void;
}

/** What the decoder uses of the ImageDecoder class. */
export interface CodecsImageDecoderClass {
  new (init: ImageDecoderInit): CodecsImageDecoder;
  isTypeSupported(type: string): Promise<boolean>;
}

/** The platform the browser decoder runs on; tests pass fakes. */
export interface ImagePlatform {
  /** WebCodecs' ImageDecoder, or undefined where the browser has none (then createImageBitmap only). */
  ImageDecoder?: CodecsImageDecoderClass;
  createImageBitmap(image: Blob, options?: ImageBitmapOptions): Promise<ImageBitmap>;
  /** A software 2D canvas to read bitmaps back from (an OffscreenCanvas). */
  createReadbackCanvas(width: number, height: number): ReadbackCanvas;
}

/** What the fallback uses of an OffscreenCanvas. */
export interface ReadbackCanvas {
  readonly width: number;
  readonly height: number;
  getContext(
    contextId: '2d',
    options: CanvasRenderingContext2DSettings,
  ): Pick<OffscreenCanvasRenderingContext2D, 'clearRect' | 'drawImage' | 'getImageData'> | null;
}

/** The real platform: this global scope (a worker or a page). */
export function browserPlatform(): ImagePlatform {
  return {
    ImageDecoder: typeof ImageDecoder === 'function' ? ImageDecoder : undefined,
    createImageBitmap: (image, options) => createImageBitmap(image, options),
    createReadbackCanvas: (width, height) => new OffscreenCanvas(width, height),
  };
}

const RGBA: VideoFrameCopyToOptions = { format: 'RGBA' };

/**
 * PNG must stay lossless: without colour management, as the server meant the
 * samples (Chromium changes every sample of a PNG with a gAMA chunk by up to
 * 73 otherwise). Premultiplying changes nothing: Tight's PNGs are opaque.
 * JPEG takes the default options, which are about 10 % cheaper.
 */
const PNG_BITMAP_OPTIONS: ImageBitmapOptions = { colorSpaceConversion: 'none' };

/**
 * The browser's decoder. JPEG goes through WebCodecs' ImageDecoder where the
 * browser has it and can convert its frames to RGBA: about 2x cheaper than
 * createImageBitmap plus readback, which matters for Tight's many small JPEG
 * rectangles; its YUV to RGB conversion may round differently, by 1 per
 * channel. WebCodecs exists only in secure contexts (https, localhost): a
 * page on plain http from another host gets the fallback. PNG, and JPEG
 * elsewhere, go through createImageBitmap on a Blob of the bytes (never a
 * data URL), read back through one small software canvas that is reused for
 * every image. Works in a worker and on a page.
 *
 * Corrupt data rejects the promise on either path. If ImageDecoder turns out
 * unable to give RGBA (an older Chromium ignores copyTo's format and would
 * copy YUV planes; another browser may refuse the conversion), that image
 * and all later ones use createImageBitmap.
 */
export function createBrowserDecoder(platform: ImagePlatform = browserPlatform()): DecodeImage {
  let readback: ReadbackCanvas | null = null;
  let readbackCtx: ReturnType<ReadbackCanvas['getContext']> = null;

  const readPixels = (bitmap: ImageBitmap): Uint8ClampedArray => {
    const { width, height } = bitmap;
    if (readback === null || readback.width < width || readback.height < height) {
      readback = platform.createReadbackCanvas(
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

  const decodeBitmap = async (data: Uint8Array, mime: ImageMime): Promise<DecodedImage> => {
    const blob = new Blob([data as Uint8Array<ArrayBuffer>], { type: mime });
    const bitmap = await (mime === 'image/png'
      ? platform.createImageBitmap(blob, PNG_BITMAP_OPTIONS)
      : platform.createImageBitmap(blob));
    return {
      width: bitmap.width,
      height: bitmap.height,
      pixels: () => readPixels(bitmap),
      close: () => bitmap.close(),
    };
  };

  const Codecs = platform.ImageDecoder;
  /** Whether JPEG goes through ImageDecoder: asked once; false for good after a failed RGBA check. */
  let codecsJpeg: Promise<boolean> | boolean =
    Codecs === undefined
      ? false
      : Codecs.isTypeSupported('image/jpeg').then(
          (yes) => (codecsJpeg = yes),
          () => (codecsJpeg = false),
        );

  /** The image's RGBA pixels, or null if this ImageDecoder cannot give RGBA. Rejects on corrupt data. */
  const decodeCodecs = async (
    ImageDecoderClass: CodecsImageDecoderClass,
    data: Uint8Array,
    mime: ImageMime,
  ): Promise<DecodedImage | null> => {
    // The constructor copies the bytes.
    const decoder = new ImageDecoderClass({ data: data as Uint8Array<ArrayBuffer>, type: mime });
    try {
      const { image: frame } = await decoder.decode();
      try {
        const width = frame.visibleRect?.width ?? 0;
        const height = frame.visibleRect?.height ?? 0;
        // A decoded frame is sound: a failure from here on is the browser's lack of RGBA conversion.
        try {
          const size = frame.allocationSize(RGBA);
          if (size !== width * height * 4) return null;
          const pixels = new Uint8Array(size);
          await frame.copyTo(pixels, RGBA);
          return { width, height, pixels: () => pixels, close: () => {} };
        } catch {
          return null;
        }
      } finally {
        frame.close();
      }
    } finally {
      decoder.close();
    }
  };

  return async (data, mime) => {
    if (mime === 'image/jpeg' && Codecs !== undefined) {
      const useCodecs = codecsJpeg === true || (codecsJpeg !== false && (await codecsJpeg));
      if (useCodecs) {
        const image = await decodeCodecs(Codecs, data, mime);
        if (image !== null) return image;
        codecsJpeg = false;
      }
    }
    return decodeBitmap(data, mime);
  };
}
