// Replays the recordings in headless Debian chromium into noVNC 1.7 and vncgate's client, N
// times each, and prints a Markdown table (also written into README.md between the markers when
// every recording was replayed).
// Usage: node replay.mjs [--runs N] [--no-readme] [--profile DIR] [name...]
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { ENCODINGS } from './record.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
const RECORDINGS = join(here, 'recordings');
const CHROMIUM = process.env.BENCH_CHROMIUM || '/usr/bin/chromium';
const README = join(here, 'README.md');
const START = '<!-- decode-bench:start -->';
const END = '<!-- decode-bench:end -->';

/** The clients compared: noVNC on the page's thread, vncgate in its worker and on the page. */
const CLIENTS = ['novnc', 'ours', 'ours-main'];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.bin': 'application/octet-stream',
};

/** URL prefix -> folder served there. */
const ROOTS = {
  '/page/': join(here, 'page'),
  '/novnc/': join(here, 'node_modules', '@novnc', 'novnc'),
  '/web/': process.env.BENCH_BUILD ? resolve(process.env.BENCH_BUILD) : join(here, 'build'),
  '/recordings/': RECORDINGS,
};

/** Debian's chromium (or BENCH_CHROMIUM), headless, as every benchmark here drives it. */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
}

/** A static file server on 127.0.0.1:0 for the page, both clients and the recordings. */
export function serve() {
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const prefix = Object.keys(ROOTS).find((p) => path.startsWith(p));
    const file = prefix && normalize(join(ROOTS[prefix], path.slice(prefix.length)));
    if (!file || !file.startsWith(ROOTS[prefix]) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ; 100 on Linux). */
const TICKS = 100;

/** This process's descendants (chromium and its helpers): pid -> comm of their threads. */
function descendants() {
  const parent = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      parent.set(pid, stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      // gone
    }
  }
  const mine = new Set([String(process.pid)]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!mine.has(pid) && mine.has(ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  mine.delete(String(process.pid));
  return [...mine];
}

/** Threads of process `pid`: [{ tid, comm, ms }] with ms = CPU time so far (user + system). */
function threadsOf(pid) {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid, comm, ms: ((Number(f[11]) + Number(f[12])) * 1000) / TICKS };
  });
}

/**
 * The PID of the renderer that shows the page: the newest of this browser's processes that has
 * a dedicated worker thread (every replay page starts one, an idle marker for the noVNC and
 * on-page runs). Other renderers (the spare one chromium warms up, one still shutting down)
 * would otherwise pollute the counts.
 */
export function pageRenderer() {
  const found = descendants().filter((pid) => {
    try {
      return threadsOf(pid).some((t) => t.comm.startsWith('DedicatedWorker'));
    } catch {
      return false;
    }
  });
  if (found.length === 0) throw new Error('no renderer with a worker thread found');
  return found.map(Number).sort((x, y) => y - x)[0];
}

/**
 * CPU time (ms) so far of the page renderer's main thread ("main", the process's first thread),
 * its dedicated worker threads ("worker") and all its threads ("all"). Read from /proc: thread
 * CPU time, unlike wall time, is not inflated when other work on the machine takes the cores.
 */
export function cpuSnapshot(pid) {
  const out = { main: 0, worker: 0, all: 0 };
  for (const t of threadsOf(pid)) {
    out.all += t.ms;
    if (t.comm.startsWith('DedicatedWorker')) out.worker += t.ms;
    else if (t.tid === String(pid)) out.main += t.ms;
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Starts the V8 sampling profiler in the page's (only) dedicated worker, through the page's
 * DevTools session (auto-attach, messages wrapped in Target.sendMessageToTarget). Resolves with
 * { stop(): Promise<profile> }.
 */
async function attachWorkerProfiler(cdp) {
  const attached = new Promise((resolve) =>
    cdp.on('Target.attachedToTarget', (e) => e.targetInfo.type === 'worker' && resolve(e.sessionId)),
  );
  let id = 0;
  const waiting = new Map();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message);
    if (msg.id && waiting.has(msg.id)) waiting.get(msg.id)(msg.result);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const sessionId = await attached;
  const send = (method, params = {}) =>
    new Promise((resolve) => {
      waiting.set(++id, resolve);
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    });
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  await send('Profiler.start');
  return { stop: async () => (await send('Profiler.stop')).profile };
}

/** Runs one replay in a fresh page; resolves with the page's result plus main-thread metrics. */
async function runOnce(context, origin, client, rec, profileDir) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !/favicon|404/.test(m.text()) && errors.push(m.text()));
  try {
    await page.goto(`${origin}/page/replay.html?client=${client}&rec=${rec}`);
    await page.waitForFunction(() => document.title === 'ready', null, { timeout: 60000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    if (profileDir) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const workerProfiler = profileDir && client === 'ours' ? await attachWorkerProfiler(cdp) : null;
    const metric = async () =>
      Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const before = await metric();
    const renderer = pageRenderer();
    const cpu0 = cpuSnapshot(renderer);
    const result = await page.evaluate(() => window.bench.run());
    const cpu1 = cpuSnapshot(renderer);
    const after = await metric();
    result.cpu = Object.fromEntries(Object.keys(cpu0).map((k) => [k, cpu1[k] - cpu0[k]]));
    if (profileDir) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(join(profileDir, `${rec}-${client}.cpuprofile`), JSON.stringify(profile));
    }
    if (workerProfiler) {
      writeFileSync(join(profileDir, `${rec}-${client}-worker.cpuprofile`), JSON.stringify(await workerProfiler.stop()));
    }
    result.mainTaskMs = (after.TaskDuration - before.TaskDuration) * 1000;
    result.mainScriptMs = (after.ScriptDuration - before.ScriptDuration) * 1000;
    result.digest = await page.evaluate(() => window.bench.digest());
    result.errors = errors;
    return result;
  } finally {
    await page.close();
  }
}

/** Formats a list of runs as "median (min–max)". */
const range = (xs, digits = 0) => {
  const f = (v) => v.toFixed(digits);
  return xs.length > 1
    ? `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`
    : f(xs[0]);
};

/** The thread that decodes, per client: the page's main thread, or vncgate's worker. */
const decodeThread = { novnc: 'main', ours: 'worker', 'ours-main': 'main' };

function table(results, meta, runs) {
  const speed = [
    '| recording | server data | updates | Mpx | noVNC wall Mpx/s | noVNC CPU Mpx/s | vncgate worker wall Mpx/s | vncgate worker CPU Mpx/s | ratio (CPU) | vncgate on page wall Mpx/s | vncgate on page CPU Mpx/s | ratio (CPU) | same picture |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const busy = [
    '| recording | noVNC main-thread tasks ms | noVNC main-thread CPU ms | vncgate main-thread tasks ms | vncgate main-thread CPU ms | ratio (tasks) | ratio (CPU) | vncgate worker-thread CPU ms | renderer CPU, all threads: noVNC ms | vncgate ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const row = (cells) => `| ${cells.join(' | ')} |`;
  const ratio = (a, b) => `${(median(a) / median(b)).toFixed(2)}x`;
  const pct = (a, b) => `${((median(a) / median(b)) * 100).toFixed(1)} %`;
  for (const [rec, by] of Object.entries(results)) {
    const nv = by.novnc;
    const mpx = Object.values(nv[0].pixels).reduce((x, y) => x + y, 0) / 1e6;
    const wall = (c) => by[c].map((r) => mpx / (r.ms / 1000));
    const cpu = (c) => by[c].map((r) => mpx / (Math.max(r.cpu[decodeThread[c]], 10) / 1000));
    const digests = new Set(Object.values(by).flat().map((r) => r.digest));
    const updates = new Set(Object.values(by).flat().map((r) => r.updateRequests - 1));
    speed.push(
      row([
        rec,
        `${(meta[rec].bytes / 1e6).toFixed(1)} MB`,
        [...updates].join('/'),
        mpx.toFixed(1),
        range(wall('novnc')),
        range(cpu('novnc')),
        range(wall('ours')),
        range(cpu('ours')),
        ratio(cpu('ours'), cpu('novnc')),
        range(wall('ours-main')),
        range(cpu('ours-main')),
        ratio(cpu('ours-main'), cpu('novnc')),
        digests.size === 1 ? 'yes' : `NO (${digests.size} digests)`,
      ]),
    );
    const tasks = (c) => by[c].map((r) => r.mainTaskMs);
    const mainCpu = (c) => by[c].map((r) => r.cpu.main);
    busy.push(
      row([
        rec,
        range(tasks('novnc')),
        range(mainCpu('novnc')),
        range(tasks('ours')),
        range(mainCpu('ours')),
        pct(tasks('ours'), tasks('novnc')),
        pct(mainCpu('ours'), mainCpu('novnc')),
        range(by.ours.map((r) => r.cpu.worker)),
        range(nv.map((r) => r.cpu.all)),
        range(by.ours.map((r) => r.cpu.all)),
      ]),
    );
  }
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  return [
    '**Decode speed** (megapixels of rectangles decoded and drawn, per second of wall time from the first frame to the last update finished, and per CPU second of the decoding thread):',
    '',
    ...speed,
    '',
    '**Main-thread time** during the whole replay, noVNC against vncgate in its worker (tasks: the page main thread\'s task time from the DevTools Performance domain, wall time; CPU: that thread\'s CPU time from /proc; the last two columns: every thread of the page\'s renderer process, image decoding and canvas included):',
    '',
    ...busy,
    '',
    `${runs} run(s) per client and recording, each in a fresh page; median (min–max). ` +
      `${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} CPUs (${os.cpus()[0].model.trim()}), ` +
      `load average at the end ${load}; chromium ${process.env.BENCH_CHROMIUM_VERSION ?? ''}, noVNC 1.7.0.`,
  ].join('\n');
}

export async function replayAll(names, { runs = 3, readme = true, profileDir = null } = {}) {
  const meta = Object.fromEntries(names.map((n) => [n, JSON.parse(readFileSync(join(RECORDINGS, `${n}.json`), 'utf8'))]));
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const server = await serve();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await launchChromium();
  process.env.BENCH_CHROMIUM_VERSION = browser.version();
  const results = {};
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1024 } });
    for (const rec of names) {
      results[rec] = Object.fromEntries(CLIENTS.map((c) => [c, []]));
      for (let i = 0; i < runs; i++) {
        for (const client of CLIENTS) {
          const r = await runOnce(context, origin, client, rec, i === 0 ? profileDir : null);
          results[rec][client].push(r);
          console.error(
            `${rec} ${client} #${i + 1}: ${r.ms.toFixed(0)} ms, ${r.updateRequests - 1} updates, ` +
              `main thread ${r.mainTaskMs.toFixed(0)} ms, long tasks ${r.longTaskMs.toFixed(0)} ms, ` +
              `worker=${r.worker} ${r.digest}${r.errors.length ? ` errors: ${r.errors.join('; ')}` : ''}`,
          );
        }
      }
    }
  } finally {
    await browser.close();
    server.close();
  }
  const text = table(results, meta, runs);
  if (readme && existsSync(README)) {
    const old = readFileSync(README, 'utf8');
    const a = old.indexOf(START);
    const b = old.indexOf(END);
    if (a >= 0 && b > a) writeFileSync(README, `${old.slice(0, a + START.length)}\n${text}\n${old.slice(b)}`);
  }
  writeFileSync(join(RECORDINGS, 'last-results.json'), JSON.stringify(results, null, 1));
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let runs = 3;
  let readme = true;
  let profileDir = null;
  const names = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') runs = Number(args[++i]);
    else if (args[i] === '--no-readme') readme = false;
    else if (args[i] === '--profile') profileDir = resolve(args[++i]);
    else names.push(args[i]);
  }
  // Only a run over every recording replaces the table in README.md.
  const all = names.length === 0;
  console.log(await replayAll(all ? Object.keys(ENCODINGS) : names, { runs, readme: readme && all, profileDir }));
}
