// JPEG micro-benchmark behind the Tight suggestion in README.md: collects the JPEG rectangles of
// the `tight` recording (by replaying it into noVNC), then decodes them all to RGBA in a worker
// with each method of page/jpeg-worker.js, measuring wall time and the CPU time of the worker,
// of the page's main thread and of the whole renderer. Usage: node jpeg.mjs [runs]
import { cpuSnapshot, launchChromium, pageRenderer, serve } from './replay.mjs';

const runs = Number(process.argv[2] ?? 3);
const methods = ['bitmap-opts', 'bitmap', 'decoder', 'bitmap-draw'];
const server = await serve();
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.goto(`${origin}/page/replay.html?client=novnc&rec=tight&collect=1`);
  await page.waitForFunction(() => document.title === 'ready');
  await page.evaluate(() => window.bench.run());
  const rows = Object.fromEntries(methods.map((m) => [m, []]));
  await page.evaluate(() => window.bench.jpeg('bitmap')); // warm up: the worker starts
  const renderer = pageRenderer();
  for (let i = 0; i < runs; i++) {
    for (const m of methods) {
      const c0 = cpuSnapshot(renderer);
      const r = await page.evaluate((method) => window.bench.jpeg(method), m);
      const c1 = cpuSnapshot(renderer);
      rows[m].push({ ...r, worker: c1.worker - c0.worker, main: c1.main - c0.main, all: c1.all - c0.all });
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const first = rows[methods[0]][0];
  console.log(`${first.images} JPEG rectangles, ${(first.bytes / 4e6).toFixed(1)} Mpx; median of ${runs}\n`);
  console.log('| method | wall ms | worker CPU ms | main-thread CPU ms | renderer CPU ms (all threads) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const m of methods) {
    const rs = rows[m];
    console.log(`| ${m} | ${med(rs.map((r) => r.ms)).toFixed(0)} | ${med(rs.map((r) => r.worker))} | ${med(rs.map((r) => r.main))} | ${med(rs.map((r) => r.all))} |`);
  }
} finally {
  await browser.close();
  server.close();
}
