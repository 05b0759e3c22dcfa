// The decode benchmark's page: ?client=novnc|ours|ours-main&rec=NAME. Creates the client with a
// ReplaySocket (noVNC 1.7 on this thread; vncgate's RFB in its worker, or on this thread), waits
// until the recording is loaded, then exposes window.bench.run(), which plays it back and
// resolves with the replay's timings and the long tasks seen on this thread meanwhile.
import { CHANNEL, ReplaySocket } from './replay-socket.js';

const params = new URLSearchParams(location.search);
const client = params.get('client');
const rec = params.get('rec');
const url = `ws://${location.host}/replay?rec=${rec}`;
const channel = new BroadcastChannel(CHANNEL);
const screen = document.getElementById('screen');

/** Resolves with the next message of `type` on the bench channel. */
const next = (type) =>
  new Promise((resolve) => {
    const on = (e) => {
      if (e.data.type !== type) return;
      channel.removeEventListener('message', on);
      resolve(e.data);
    };
    channel.addEventListener('message', on);
  });

/** Pixels of completed data rectangles, per encoding number (noVNC only: from its decoders). */
const pixels = {};
let rfb;
let capture;

if (client === 'none') throw new Error('no client: a blank page for the micro-benchmarks');
const ready = next('ready');
// An idle worker in every mode: the runner finds this page's renderer process by its worker thread.
if (client !== 'ours') new Worker(new URL('idle-worker.js', import.meta.url));
if (client === 'novnc') {
  const { default: RFB } = await import('/novnc/core/rfb.js');
  rfb = new RFB(screen, new ReplaySocket(url));
  for (const [enc, decoder] of Object.entries(rfb._decoders)) {
    const decodeRect = decoder.decodeRect.bind(decoder);
    decoder.decodeRect = (x, y, w, h, ...rest) => {
      const done = decodeRect(x, y, w, h, ...rest);
      if (done) pixels[enc] = (pixels[enc] ?? 0) + w * h;
      return done;
    };
  }
  // Keeps every JPEG rectangle (for the JPEG micro-benchmark, jpeg.mjs).
  const jpegs = [];
  const imageRect = rfb._display.imageRect.bind(rfb._display);
  rfb._display.imageRect = (x, y, w, h, mime, data) => {
    if (mime === 'image/jpeg' && params.has('collect')) jpegs.push(data.slice());
    return imageRect(x, y, w, h, mime, data);
  };
  window.benchJpegs = jpegs;
  capture = () => {
    const d = rfb._display;
    const img = d._drawCtx.getImageData(0, 0, d.width, d.height);
    return { width: d.width, height: d.height, data: img.data };
  };
} else {
  const { RFB } = await import('/web/vncgate.js');
  const useWorker = client === 'ours';
  if (!useWorker) globalThis.WebSocket = ReplaySocket;
  rfb = new RFB(screen, url, {
    useWorker,
    workerUrl: new URL('ours-worker.js', location.href),
  });
  capture = () => rfb.captureFramebuffer();
}

/** FNV-1a over the R, G, B bytes of an RGBA picture: equal pictures, equal digests. */
function digest({ width, height, data }) {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) {
    if ((i & 3) === 3) continue;
    h = Math.imul(h ^ data[i], 0x01000193);
  }
  return `${width}x${height}:${(h >>> 0).toString(16)}`;
}

const loaded = await ready;

window.bench = {
  loaded,
  async run() {
    const longTasks = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push(e.duration);
    });
    observer.observe({ type: 'longtask', buffered: false });
    const done = next('done');
    channel.postMessage({ type: 'start' });
    const result = await done;
    observer.disconnect();
    return {
      ...result,
      longTaskMs: longTasks.reduce((a, b) => a + b, 0),
      longTasks: longTasks.length,
      pixels,
      worker: client === 'novnc' ? false : rfb.usesWorker,
    };
  },
  /** Decodes the collected JPEGs in a fresh worker with `method` (see jpeg-worker.js). */
  jpeg(method) {
    const w = (window.jpegWorker ??= new Worker(new URL('jpeg-worker.js', import.meta.url)));
    return new Promise((resolve) => {
      w.onmessage = (e) => resolve({ ...e.data, images: window.benchJpegs.length });
      w.postMessage({ method, jpegs: window.benchJpegs });
    });
  },
  async digest() {
    return digest(await capture());
  },
};
document.title = 'ready';
