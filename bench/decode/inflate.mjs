// Inflate micro-benchmark behind the ZRLE/Tight/Zlib suggestion in README.md: the zlib stream of
// the `zrle` recording, inflated in a worker by web/src's InflateStream (`wasm`: zlib compiled to
// WebAssembly, its default; `pako`: its pako 3.0.3 fallback), by noVNC 1.7's vendored pako and by
// the browser's native DecompressionStream('deflate'); wall time and the renderer's CPU time.
// Usage: node inflate.mjs [runs]   (after build-ours.mjs and record.mjs)
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { zrleChunks } from './lib/zrle-stream.mjs';
import { cpuSnapshot, pageRenderer, serve } from './replay.mjs';

const runs = Number(process.argv[2] ?? 3);
const chunks = zrleChunks(join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'recordings', 'zrle.bin'));
const server = await serve();
const browser = await chromium.launch({
  executablePath: process.env.BENCH_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/page/replay.html?client=none`).catch(() => {});
  await page.evaluate(() => {
    window.inflateWorker = new Worker('/web/inflate-worker.js', { type: 'module' });
  });
  const arrays = chunks.map((c) => [...c]);
  await page.evaluate((a) => {
    window.inflateChunks = a.map((c) => Uint8Array.from(c));
  }, arrays);
  // "+batched": the rectangles' chunks joined per ~FramebufferUpdate (rectangles / updates).
  const batch = Math.max(1, Math.round(chunks.length / chunks.updates));
  const run = (name) =>
    page.evaluate(
      ([m, b]) =>
        new Promise((resolve) => {
          window.inflateWorker.onmessage = (e) => resolve(e.data);
          window.inflateWorker.postMessage({ method: m, chunks: window.inflateChunks, batch: b });
        }),
      [name.split('+')[0], name.endsWith('+batched') ? batch : 0],
    );
  await run('pako');
  await run('wasm');
  const renderer = pageRenderer();
  const rows = { pako: [], 'novnc-pako': [], native: [], wasm: [], 'pako+batched': [], 'native+batched': [], 'wasm+batched': [] };
  for (let i = 0; i < runs; i++) {
    for (const m of Object.keys(rows)) {
      const c0 = cpuSnapshot(renderer);
      const r = await run(m);
      const c1 = cpuSnapshot(renderer);
      rows[m].push({ ...r, worker: c1.worker - c0.worker, all: c1.all - c0.all });
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const inBytes = chunks.reduce((a, c) => a + c.length, 0);
  console.log(`${chunks.length} ZRLE rectangles in ${chunks.updates} updates (batched: ${batch} per write), ${(inBytes / 1e6).toFixed(1)} MB compressed, ${(rows.pako[0].bytes / 1e6).toFixed(1)} MB inflated; median of ${runs}\n`);
  console.log('| inflate | wall ms | worker CPU ms | renderer CPU ms (all threads) |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [m, rs] of Object.entries(rows)) {
    console.log(`| ${m} | ${med(rs.map((r) => r.ms)).toFixed(0)} | ${med(rs.map((r) => r.worker))} | ${med(rs.map((r) => r.all))} |`);
  }
} finally {
  await browser.close();
  server.close();
}
