// Tests for the browser image decoder: ImageDecoder or createImageBitmap chosen per image type, RGBA readback, errors, and drawing order through Display.

import { describe, expect, it } from 'vitest';
import { Display } from '../../src/display/display';
import type {
  CodecsFrame,
  CodecsImageDecoder,
  CodecsImageDecoderClass,
  ImagePlatform,
  ReadbackCanvas,
} from '../../src/display/images';
import { createBrowserDecoder } from '../../src/display/images';
import { FakeCanvas, FakeFrames } from './fake-canvas';

/**
 * Test images are 5 bytes: width, height, r, g, b (one colour); width 0
 * makes a corrupt image. Both fakes below decode that format.
 */
const img = (w: number, h: number, r: number, g: number, b: number): Uint8Array =>
  Uint8Array.from([w, h, r, g, b]);

interface Started {
  bytes: number[];
  type: string;
  finish(): void;
}

/**
 * A fake WebCodecs: ImageDecoder instances whose decode() the test finishes
 * by hand (or at once with `auto`), frames that copy out RGBA (or, with
 * `yuvOnly`, ignore the format like an older Chromium and need YUV space).
 */
class FakeCodecs {
  readonly started: Started[] = [];
  supported = true;
  yuvOnly = false;
  copyFails = false;
  auto = true;
  typeQueries = 0;
  decodersClosed = 0;
  framesClosed = 0;
  copies = 0;

  readonly ImageDecoder: CodecsImageDecoderClass = (() => {
    const codecs = this;
    return class implements CodecsImageDecoder {
      private readonly bytes: number[];
      constructor(private readonly init: ImageDecoderInit) {
        // Like the real one, keep a copy: the caller may reuse its bytes.
        this.bytes = Array.from(init.data as Uint8Array);
      }
      static isTypeSupported(type: string): Promise<boolean> {
        codecs.typeQueries++;
        return Promise.resolve(codecs.supported && type === 'image/jpeg');
      }
      decode(): Promise<{ image: CodecsFrame }> {
        return new Promise((resolve, reject) => {
          const finish = (): void => {
            const [w, h, r, g, b] = this.bytes;
            if (w === 0) reject(new Error('EncodingError: failed to decode'));
            else resolve({ image: codecs.frame(w, h, r, g, b) });
          };
          codecs.started.push({ bytes: this.bytes, type: this.init.type, finish });
          if (codecs.auto) finish();
        });
      }
      close(): void {
        codecs.decodersClosed++;
      }
    };
  })();

  frame(w: number, h: number, r: number, g: number, b: number): CodecsFrame {
    return {
      visibleRect: { width: w, height: h },
      allocationSize: (options) =>
        options?.format === 'RGBA' && !this.yuvOnly ? w * h * 4 : (w * h * 3) / 2,
      copyTo: async (dest, options) => {
        this.copies++;
        if (this.copyFails) throw new DOMException('conversion not supported', 'NotSupportedError');
        if (options?.format !== 'RGBA' || this.yuvOnly) throw new Error('test: not RGBA');
        for (let i = 0; i < w * h; i++) dest.set([r, g, b, 255], i * 4);
        return [];
      },
      close: () => this.framesClosed++,
    };
  }
}

/** A fake createImageBitmap and readback canvas; bitmaps keep their bytes and draw them. */
class FakeBitmaps {
  readonly calls: { type: string; options: ImageBitmapOptions | undefined }[] = [];
  readonly canvases: { width: number; height: number }[] = [];
  closed = 0;

  readonly createImageBitmap = async (
    blob: Blob,
    options?: ImageBitmapOptions,
  ): Promise<ImageBitmap> => {
    this.calls.push({ type: blob.type, options });
    const [w, h, r, g, b] = new Uint8Array(await blob.arrayBuffer());
    if (w === 0) throw new Error('InvalidStateError: The source image could not be decoded.');
    return {
      width: w,
      height: h,
      colour: [r, g, b],
      close: () => this.closed++,
    } as unknown as ImageBitmap;
  };

  readonly createReadbackCanvas = (width: number, height: number): ReadbackCanvas => {
    this.canvases.push({ width, height });
    const pixels = new Uint8ClampedArray(width * height * 4);
    const ctx = {
      clearRect: (x: number, y: number, w: number, h: number) => {
        for (let j = y; j < y + h; j++)
          pixels.fill(0, (j * width + x) * 4, (j * width + x + w) * 4);
      },
      drawImage: (bitmap: ImageBitmap) => {
        const {
          width: w,
          height: h,
          colour,
        } = bitmap as unknown as {
          width: number;
          height: number;
          colour: number[];
        };
        for (let j = 0; j < h; j++) {
          for (let i = 0; i < w; i++) pixels.set([...colour, 255], (j * width + i) * 4);
        }
      },
      getImageData: (x: number, y: number, w: number, h: number) => {
        const data = new Uint8ClampedArray(w * h * 4);
        for (let j = 0; j < h; j++) {
          const s = ((y + j) * width + x) * 4;
          data.set(pixels.subarray(s, s + w * 4), j * w * 4);
        }
        return { width: w, height: h, data } as ImageData;
      },
    };
    return {
      width,
      height,
      getContext: () => ctx as unknown as ReturnType<ReadbackCanvas['getContext']>,
    };
  };
}

function platform(codecs: FakeCodecs | null, bitmaps: FakeBitmaps): ImagePlatform {
  return {
    ImageDecoder: codecs?.ImageDecoder,
    createImageBitmap: bitmaps.createImageBitmap,
    createReadbackCanvas: bitmaps.createReadbackCanvas,
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

function pixel(d: Display, x: number, y: number): number[] {
  const i = (y * d.width + x) * 4;
  return Array.from(d.framebuffer.subarray(i, i + 4));
}

describe('createBrowserDecoder: choosing the decoder', () => {
  it('decodes JPEG with ImageDecoder to RGBA and closes the frame and the decoder', async () => {
    const codecs = new FakeCodecs();
    const bitmaps = new FakeBitmaps();
    const decode = createBrowserDecoder(platform(codecs, bitmaps));
    const image = await decode(img(2, 3, 10, 20, 30), 'image/jpeg');
    expect([image.width, image.height]).toEqual([2, 3]);
    const px = image.pixels();
    expect(px.length).toBe(2 * 3 * 4);
    expect(Array.from(px.subarray(20, 24))).toEqual([10, 20, 30, 255]);
    image.close();
    expect(codecs.started.map((s) => s.type)).toEqual(['image/jpeg']);
    expect(codecs.framesClosed).toBe(1);
    expect(codecs.decodersClosed).toBe(1);
    expect(bitmaps.calls).toEqual([]);
  });

  it('asks once whether JPEG is supported, however many images decode at once', async () => {
    const codecs = new FakeCodecs();
    const decode = createBrowserDecoder(platform(codecs, new FakeBitmaps()));
    await Promise.all([1, 2, 3].map((v) => decode(img(1, 1, v, v, v), 'image/jpeg')));
    await decode(img(1, 1, 4, 4, 4), 'image/jpeg');
    expect(codecs.typeQueries).toBe(1);
    expect(codecs.started.length).toBe(4);
  });

  it('keeps PNG on createImageBitmap without colour conversion, so its pixels stay exact', async () => {
    const codecs = new FakeCodecs();
    const bitmaps = new FakeBitmaps();
    const decode = createBrowserDecoder(platform(codecs, bitmaps));
    const image = await decode(img(2, 2, 1, 2, 3), 'image/png');
    expect(Array.from(image.pixels())).toEqual([
      1, 2, 3, 255, 1, 2, 3, 255, 1, 2, 3, 255, 1, 2, 3, 255,
    ]);
    image.close();
    expect(bitmaps.calls).toEqual([
      { type: 'image/png', options: { colorSpaceConversion: 'none' } },
    ]);
    expect(bitmaps.closed).toBe(1);
    expect(codecs.started).toEqual([]);
  });

  it('falls back to createImageBitmap with default options where ImageDecoder is missing', async () => {
    const bitmaps = new FakeBitmaps();
    const decode = createBrowserDecoder(platform(null, bitmaps));
    const small = await decode(img(2, 2, 7, 8, 9), 'image/jpeg');
    expect(Array.from(small.pixels().subarray(0, 4))).toEqual([7, 8, 9, 255]);
    small.close();
    const large = await decode(img(4, 3, 1, 1, 1), 'image/jpeg');
    expect(large.pixels().length).toBe(4 * 3 * 4);
    large.close();
    const again = await decode(img(3, 3, 5, 5, 5), 'image/jpeg');
    // The readback canvas, reused, still holds the larger image's pixels outside this one: cleared.
    expect(Array.from(again.pixels())).toEqual(
      Array.from({ length: 9 }, () => [5, 5, 5, 255]).flat(),
    );
    again.close();
    expect(bitmaps.calls).toEqual([
      { type: 'image/jpeg', options: undefined },
      { type: 'image/jpeg', options: undefined },
      { type: 'image/jpeg', options: undefined },
    ]);
    // One readback canvas, grown once, then reused.
    expect(bitmaps.canvases).toEqual([
      { width: 2, height: 2 },
      { width: 4, height: 3 },
    ]);
    expect(bitmaps.closed).toBe(3);
  });

  it('falls back where ImageDecoder says it cannot decode JPEG', async () => {
    const codecs = new FakeCodecs();
    codecs.supported = false;
    const bitmaps = new FakeBitmaps();
    const decode = createBrowserDecoder(platform(codecs, bitmaps));
    (await decode(img(1, 1, 1, 1, 1), 'image/jpeg')).close();
    (await decode(img(1, 1, 1, 1, 1), 'image/jpeg')).close();
    expect(codecs.started).toEqual([]);
    expect(bitmaps.calls.length).toBe(2);
    expect(codecs.typeQueries).toBe(1);
  });

  it('falls back for good where frames cannot be copied as RGBA (older Chromium)', async () => {
    const codecs = new FakeCodecs();
    codecs.yuvOnly = true;
    const bitmaps = new FakeBitmaps();
    const decode = createBrowserDecoder(platform(codecs, bitmaps));
    const first = await decode(img(2, 2, 40, 50, 60), 'image/jpeg');
    // The same image, decoded again by the fallback: not YUV bytes read as RGBA.
    expect(Array.from(first.pixels().subarray(0, 4))).toEqual([40, 50, 60, 255]);
    first.close();
    (await decode(img(2, 2, 1, 1, 1), 'image/jpeg')).close();
    expect(codecs.started.length).toBe(1);
    expect(codecs.copies).toBe(0);
    expect(codecs.framesClosed).toBe(1);
    expect(codecs.decodersClosed).toBe(1);
    expect(bitmaps.calls.length).toBe(2);
  });

  it('falls back for good where copying a frame as RGBA fails', async () => {
    const codecs = new FakeCodecs();
    codecs.copyFails = true;
    const bitmaps = new FakeBitmaps();
    const decode = createBrowserDecoder(platform(codecs, bitmaps));
    const first = await decode(img(2, 2, 40, 50, 60), 'image/jpeg');
    expect(Array.from(first.pixels().subarray(0, 4))).toEqual([40, 50, 60, 255]);
    first.close();
    (await decode(img(2, 2, 1, 1, 1), 'image/jpeg')).close();
    expect(codecs.copies).toBe(1);
    expect([codecs.framesClosed, codecs.decodersClosed]).toEqual([1, 1]);
    expect(bitmaps.calls.length).toBe(2);
  });
});

describe('createBrowserDecoder: corrupt images', () => {
  it('rejects a corrupt JPEG from ImageDecoder, closes the decoder and keeps using ImageDecoder', async () => {
    const codecs = new FakeCodecs();
    const bitmaps = new FakeBitmaps();
    const decode = createBrowserDecoder(platform(codecs, bitmaps));
    await expect(decode(img(0, 0, 0, 0, 0), 'image/jpeg')).rejects.toThrow('failed to decode');
    expect(codecs.decodersClosed).toBe(1);
    expect(bitmaps.calls).toEqual([]); // not tried again with createImageBitmap
    (await decode(img(1, 1, 1, 1, 1), 'image/jpeg')).close();
    expect(codecs.started.length).toBe(2);
  });

  it('rejects a corrupt image on the fallback path', async () => {
    const decode = createBrowserDecoder(platform(null, new FakeBitmaps()));
    await expect(decode(img(0, 0, 0, 0, 0), 'image/jpeg')).rejects.toThrow('could not be decoded');
    await expect(decode(img(0, 0, 0, 0, 0), 'image/png')).rejects.toThrow('could not be decoded');
  });

  it('reports a corrupt JPEG through Display.onImageError as before, on either path', async () => {
    for (const codecs of [new FakeCodecs(), null]) {
      const errors: string[] = [];
      const display = new Display(new FakeCanvas(), 8, 8, {
        requestFrame: new FakeFrames().request,
        decodeImage: createBrowserDecoder(platform(codecs, new FakeBitmaps())),
        onImageError: (e) => errors.push(e.message),
      });
      display.drawImage(1, 2, 3, 4, img(0, 0, 0, 0, 0), 'image/jpeg');
      display.fillRect(0, 0, 1, 1, 5, 6, 7);
      display.drawImage(4, 4, 2, 2, img(2, 2, 9, 9, 9), 'image/jpeg');
      await display.whenIdle();
      expect(errors.length).toBe(1);
      expect(errors[0]).toMatch(/^image\/jpeg rectangle 3x4 at \(1, 2\): /);
      expect(pixel(display, 0, 0)).toEqual([5, 6, 7, 255]);
      expect(pixel(display, 5, 5)).toEqual([9, 9, 9, 255]);
    }
  });
});

describe('createBrowserDecoder in Display: drawing order', () => {
  it('draws ImageDecoder JPEGs, PNGs and other operations in order when decodes finish out of order', async () => {
    const codecs = new FakeCodecs();
    codecs.auto = false;
    const display = new Display(new FakeCanvas(), 8, 8, {
      requestFrame: new FakeFrames().request,
      decodeImage: createBrowserDecoder(platform(codecs, new FakeBitmaps())),
    });
    display.drawImage(0, 0, 4, 4, img(4, 4, 10, 0, 0), 'image/jpeg');
    display.fillRect(1, 1, 1, 1, 0, 0, 99);
    display.drawImage(2, 2, 4, 4, img(4, 4, 20, 0, 0), 'image/jpeg');
    display.drawImage(3, 3, 2, 2, img(2, 2, 30, 0, 0), 'image/png'); // createImageBitmap: done first
    display.blitRgbx(4, 4, 1, 1, Uint8Array.from([40, 0, 0, 0]));
    await tick();
    expect(codecs.started.length).toBe(2);

    codecs.started[1].finish();
    await tick();
    expect(display.busy).toBe(true);
    expect(pixel(display, 3, 3)).toEqual([0, 0, 0, 255]); // nothing drawn before the first image

    codecs.started[0].finish();
    await display.whenIdle();
    expect(pixel(display, 0, 0)).toEqual([10, 0, 0, 255]);
    expect(pixel(display, 1, 1)).toEqual([0, 0, 99, 255]); // fill over the first image
    expect(pixel(display, 2, 2)).toEqual([20, 0, 0, 255]); // second image over the first
    expect(pixel(display, 3, 3)).toEqual([30, 0, 0, 255]); // PNG over the second
    expect(pixel(display, 4, 4)).toEqual([40, 0, 0, 255]); // blit over the PNG
    expect(pixel(display, 5, 5)).toEqual([20, 0, 0, 255]);
    expect(codecs.framesClosed).toBe(2);
    expect(codecs.decodersClosed).toBe(2);
  });
});
