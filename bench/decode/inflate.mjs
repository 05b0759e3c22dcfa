// Inflate micro-benchmark behind the ZRLE/Tight/Zlib suggestion in README.md: the zlib stream of
// the `zrle` recording, inflated in a worker by web/src's InflateStream (`wasm`: zlib compiled to
// WebAssembly, its default; `pako`: its pako 3.0.3 fallback), by noVNC 1.7's vendored pako, by
// fflate's streaming Inflate and by the browser's native DecompressionStream('deflate'); wall time
// and the renderer's CPU time. A first, untimed pass of every variant checks that all give the
// same bytes, and (but DecompressionStream, whose output comes asynchronously) the same output
// after each chunk: ZRLE needs every rectangle's output complete after its own bytes.
// Usage: node inflate.mjs [runs]   (after build-ours.mjs and record.mjs)
import { join } from 'node:path';
import { zrleChunks } from './lib/zrle-stream.mjs';
import { cpuSnapshot, launchChromium, pageRenderer, serve } from './replay.mjs';

const runs = Number(process.argv[2] ?? 3);
const chunks = zrleChunks(
  join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'recordings', 'zrle.bin'),
);
const server = await serve();
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page
    .goto(`http://127.0.0.1:${server.address().port}/page/replay.html?client=none`)
    .catch(() => {});
  await page.evaluate(() => {
    window.inflateWorker = new Worker('/web/inflate-worker.js', { type: 'module' });
  });
  const arrays = chunks.map((c) => [...c]);
  await page.evaluate((a) => {
    window.inflateChunks = a.map((c) => Uint8Array.from(c));
  }, arrays);
  // "+batched": the rectangles' chunks joined per ~FramebufferUpdate (rectangles / updates).
  const batch = Math.max(1, Math.round(chunks.length / chunks.updates));
  const run = (name, verify = false) =>
    page.evaluate(
      ([m, b, v]) =>
        new Promise((resolve) => {
          window.inflateWorker.onmessage = (e) => resolve(e.data);
          window.inflateWorker.postMessage({
            method: m,
            chunks: window.inflateChunks,
            batch: b,
            verify: v,
          });
        }),
      [name.split('+')[0], name.endsWith('+batched') ? batch : 0, verify],
    );
  const rows = {
    pako: [],
    'novnc-pako': [],
    native: [],
    wasm: [],
    fflate: [],
    'pako+batched': [],
    'native+batched': [],
    'wasm+batched': [],
    'fflate+batched': [],
  };
  // The untimed check (it also warms every variant up): same digest and length as `pako`, and the
  // same output after each chunk as `pako` (or `pako+batched`).
  const checks = {};
  for (const m of Object.keys(rows)) checks[m] = await run(m, true);
  const problems = [];
  for (const [m, r] of Object.entries(checks)) {
    const ref = checks[m.endsWith('+batched') ? 'pako+batched' : 'pako'];
    if (r.bytes !== ref.bytes || r.digest !== ref.digest) {
      problems.push(
        `${m}: ${r.bytes} bytes, digest ${r.digest} (pako: ${ref.bytes}, ${ref.digest})`,
      );
    }
    if (!r.sizes) continue;
    const i = r.sizes.findIndex((n, j) => n !== ref.sizes[j]);
    if (i >= 0 || r.sizes.length !== ref.sizes.length) {
      const late = r.sizes.filter((n, j) => n !== ref.sizes[j]).length;
      problems.push(
        `${m}: output of ${late} of ${r.sizes.length} chunks not complete after the chunk (first: #${i}, ${r.sizes[i]} bytes, pako ${ref.sizes[i]})`,
      );
    }
  }
  const renderer = pageRenderer();
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
  console.log(
    `${chunks.length} ZRLE rectangles in ${chunks.updates} updates (batched: ${batch} per write), ${(inBytes / 1e6).toFixed(1)} MB compressed, ${(rows.pako[0].bytes / 1e6).toFixed(1)} MB inflated; median of ${runs}`,
  );
  console.log(
    problems.length
      ? `OUTPUT DIFFERS:\n${problems.join('\n')}\n`
      : `same output: yes, every variant (digest ${checks.pako.digest}), and complete after each chunk (all but native, not checkable)\n`,
  );
  console.log('| inflate | wall ms | worker CPU ms | renderer CPU ms (all threads) |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [m, rs] of Object.entries(rows)) {
    console.log(
      `| ${m} | ${med(rs.map((r) => r.ms)).toFixed(0)} | ${med(rs.map((r) => r.worker))} | ${med(rs.map((r) => r.all))} |`,
    );
  }
} finally {
  await browser.close();
  server.close();
}
