// The JPEG micro-benchmark's worker: decodes a list of JPEG rectangles to RGBA pixels, one
// method per request, and answers with the wall time. Methods:
//   bitmap-opts  createImageBitmap(Blob, {premultiplyAlpha:'none', colorSpaceConversion:'none'})
//                + drawImage/getImageData on a reused OffscreenCanvas (what web/src does now)
//   bitmap       the same with createImageBitmap's default options
//   decoder      WebCodecs ImageDecoder -> VideoFrame.copyTo(RGBA)
//   bitmap-draw  createImageBitmap(Blob) drawn straight onto a canvas, no readback
// Each method decodes the images in order, one after another (as a display must, to keep the
// drawing order), with at most `inFlight` decodes started ahead.
let readback = null;
let ctx = null;
const target = new OffscreenCanvas(1280, 800);
const targetCtx = target.getContext('2d');

function readPixels(bitmap) {
  const { width, height } = bitmap;
  if (!readback || readback.width < width || readback.height < height) {
    readback = new OffscreenCanvas(Math.max(width, readback?.width ?? 0), Math.max(height, readback?.height ?? 0));
    ctx = readback.getContext('2d', { willReadFrequently: true });
  }
  ctx.clearRect(0, 0, width, height);
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, width, height).data;
}

const methods = {
  'bitmap-opts': async (jpeg) => {
    const b = await createImageBitmap(new Blob([jpeg], { type: 'image/jpeg' }), {
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    });
    return () => {
      const px = readPixels(b);
      b.close();
      return px.length;
    };
  },
  bitmap: async (jpeg) => {
    const b = await createImageBitmap(new Blob([jpeg], { type: 'image/jpeg' }));
    return () => {
      const px = readPixels(b);
      b.close();
      return px.length;
    };
  },
  decoder: async (jpeg) => {
    const d = new ImageDecoder({ data: jpeg, type: 'image/jpeg' });
    const { image } = await d.decode();
    return async () => {
      const out = new Uint8Array(image.displayWidth * image.displayHeight * 4);
      await image.copyTo(out, { format: 'RGBA' });
      image.close();
      d.close();
      return out.length;
    };
  },
  'bitmap-draw': async (jpeg) => {
    const b = await createImageBitmap(new Blob([jpeg], { type: 'image/jpeg' }));
    return () => {
      targetCtx.drawImage(b, 0, 0);
      b.close();
      return b.width * b.height * 4;
    };
  },
};

/** Largest difference of any R, G or B value between the bitmap and decoder methods. */
async function compare(jpegs) {
  let maxDiff = 0;
  let differing = 0;
  for (const jpeg of jpegs) {
    const b = await createImageBitmap(new Blob([jpeg], { type: 'image/jpeg' }), {
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    });
    const a = readPixels(b).slice();
    b.close();
    const d = new ImageDecoder({ data: jpeg, type: 'image/jpeg' });
    const { image } = await d.decode();
    const o = new Uint8Array(image.displayWidth * image.displayHeight * 4);
    await image.copyTo(o, { format: 'RGBA' });
    image.close();
    d.close();
    let m = 0;
    for (let i = 0; i < o.length; i++) if ((i & 3) !== 3) m = Math.max(m, Math.abs(o[i] - a[i]));
    if (m > 0) differing++;
    maxDiff = Math.max(maxDiff, m);
  }
  return { maxDiff, differing };
}

self.onmessage = async (e) => {
  const { method, jpegs, inFlight = 4 } = e.data;
  if (method === 'compare') {
    self.postMessage({ method, ...(await compare(jpegs)) });
    return;
  }
  const decode = methods[method];
  const t0 = performance.now();
  let bytes = 0;
  const started = [];
  for (let i = 0; i < jpegs.length; i++) {
    started.push(decode(jpegs[i]));
    if (started.length > inFlight || i === jpegs.length - 1) {
      while (started.length > (i === jpegs.length - 1 ? 0 : inFlight)) {
        const finish = await started.shift();
        bytes += await finish();
      }
    }
  }
  self.postMessage({ method, ms: performance.now() - t0, bytes });
};
