// Records one VNC session per encoding through `vncgate --record`: a TigerVNC Xvnc desktop with
// busy content (scrolling coloured xterm, top, clocks, ico, xeyes, a photo-like image that moves),
// a minimal RFB client that forces one encoding and asks for updates like a 60 Hz viewer, plus a
// full-screen refresh every second. Writes recordings/<name>.rec (websockify format, as recorded)
// and recordings/<name>.bin (server-to-client frames for the replay page).
// Usage: node record.mjs [--force] [name...]   (names: see ENCODINGS)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startDesktop } from '../../e2e/lib/desktop.mjs';
import { spawnLogged, stopProcesses } from '../../e2e/lib/process.mjs';
import { readRecording, writeServerFrames } from './lib/recording.mjs';
import { openWebSocket } from './lib/ws-client.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');
export const RECORDINGS = join(here, 'recordings');
const VNCGATE = process.env.VNCGATE_BIN || join(repoRoot, 'build', 'gateway', 'vncgate');

/** Desktop size: a common laptop screen. */
export const GEOMETRY = { width: 1280, height: 800 };
/**
 * How long each session is recorded: the compact encodings longer, so that each recording takes
 * long enough to decode (hundreds of ms) for the JIT warm-up not to dominate.
 */
const RECORD_MS = { raw: 6000, rre: 6000, hextile: 6000, zlib: 6000, zrle: 12000, tight: 12000, 'tight-lossless': 12000 };
/** Incremental update requests at about 60 Hz, as a viewer that keeps up would send them. */
const INCREMENTAL_MS = 16;
/** A non-incremental full-screen request this often: the "full-screen update stream" part. */
const FULL_MS = 1000;

const pseudoDesktopSize = -223;
const pseudoQuality = (level) => -32 + level;
const pseudoCompress = (level) => -256 + level;

/** Recording name -> the SetEncodings list the recording client sends. */
export const ENCODINGS = {
  raw: [0, pseudoDesktopSize],
  rre: [2, pseudoDesktopSize],
  hextile: [5, pseudoDesktopSize],
  zlib: [6, pseudoDesktopSize],
  zrle: [16, pseudoDesktopSize],
  // noVNC's and vncgate's defaults: JPEG quality 6, compression 2.
  tight: [7, pseudoQuality(6), pseudoCompress(2), pseudoDesktopSize],
  // No quality level: TigerVNC's Tight stays lossless (zlib, palettes, gradient-free).
  'tight-lossless': [7, pseudoCompress(2), pseudoDesktopSize],
};

/** Big-endian message builders of the few client messages the recorder sends. */
const u16 = (v) => [(v >> 8) & 255, v & 255];
const u32 = (v) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const setPixelFormat = () =>
  // 32 bpp, depth 24, little-endian, true colour, max 255, shifts R 0 G 8 B 16: what noVNC and
  // vncgate's client ask for, so the recorded pixels are the ones they would get.
  Uint8Array.from([0, 0, 0, 0, 32, 24, 0, 1, ...u16(255), ...u16(255), ...u16(255), 0, 8, 16, 0, 0, 0]);
const setEncodings = (list) => Uint8Array.from([2, 0, ...u16(list.length), ...list.flatMap((e) => u32(e >>> 0))]);
const updateRequest = (incremental, w, h) => Uint8Array.from([3, incremental ? 1 : 0, 0, 0, 0, 0, ...u16(w), ...u16(h)]);

/**
 * A client that does the RFB 3.8 handshake with security None, then sends SetPixelFormat,
 * SetEncodings(`encodings`) and update requests on timers, never parsing the updates (the
 * recording, not this client, keeps them). Resolves after `ms` of updates.
 */
async function recordSession(gatewayPort, encodings, ms) {
  let pending = Buffer.alloc(0);
  let wake = null;
  const ws = await openWebSocket({
    host: '127.0.0.1',
    port: gatewayPort,
    onData: (data) => {
      if (pending === null) return; // handshake done: updates are not read here
      pending = Buffer.concat([pending, data]);
      wake?.();
    },
  });
  const read = async (n) => {
    while (pending.length < n) await new Promise((r) => (wake = r));
    const out = pending.subarray(0, n);
    pending = pending.subarray(n);
    return out;
  };
  const version = (await read(12)).toString('latin1');
  if (!/^RFB 003\.00[78]\n$/.test(version)) throw new Error(`unexpected banner ${JSON.stringify(version)}`);
  ws.send(Buffer.from('RFB 003.008\n', 'latin1'));
  const nTypes = (await read(1))[0];
  const types = [...(await read(nTypes))];
  if (!types.includes(1)) throw new Error(`server offers security types ${types}, not None`);
  ws.send([1]);
  const result = (await read(4)).readUInt32BE(0);
  if (result !== 0) throw new Error(`SecurityResult ${result}`);
  ws.send([1]); // ClientInit: shared
  const init = await read(24);
  const width = init.readUInt16BE(0);
  const height = init.readUInt16BE(2);
  await read(init.readUInt32BE(20)); // desktop name
  pending = null;
  ws.send(setPixelFormat());
  ws.send(setEncodings(encodings));
  ws.send(updateRequest(false, width, height));
  const incremental = setInterval(() => ws.send(updateRequest(true, width, height)), INCREMENTAL_MS);
  const full = setInterval(() => ws.send(updateRequest(false, width, height)), FULL_MS);
  await sleep(ms);
  clearInterval(incremental);
  clearInterval(full);
  await sleep(300); // let the last updates arrive
  ws.close();
  await Promise.race([ws.closed, sleep(3000)]);
}

/** Starts the X clients that keep the screen busy; returns them and a stop function. */
async function populate(desktop, dir) {
  const env = {
    PATH: process.env.PATH,
    DISPLAY: desktop.display,
    HOME: dir,
    SHELL: '/bin/sh',
    LANG: 'C.UTF-8',
    TERM: 'xterm',
  };
  const run = (cmd, args) => spawnLogged(cmd, args, { env, cwd: dir, logFile: join(dir, `${cmd}.log`) });
  const photo = join(dir, 'photo.png');
  // A photo-like picture (fractal plasma: smooth gradients and noise), the kind JPEG is for.
  await new Promise((res, rej) =>
    spawnLogged('convert', ['-seed', '7', '-size', '480x320', 'plasma:fractal', photo], { env }).exited.then(
      ({ code }) => (code === 0 ? res() : rej(new Error(`convert exited ${code}`))),
    ),
  );
  const children = [
    // A terminal that keeps printing coloured listings: text scrolling over most of the left half.
    run('xterm', [
      ...['-fa', 'Monospace', '-fs', '9', '-geometry', '100x34+0+0', '-bg', '#1e1e1e', '-fg', '#d0d0d0'],
      ...['-e', 'sh', '-c', 'while :; do ls -l --color=always /usr/bin /usr/lib/x86_64-linux-gnu | head -400; sleep 0.05; done'],
    ]),
    run('xterm', ['-fa', 'Monospace', '-fs', '8', '-geometry', '90x20+0+470', '-e', 'top', '-d', '0.5']),
    run('xclock', ['-update', '1', '-geometry', '180x180+1090+10']),
    run('oclock', ['-geometry', '140x140+940+10']),
    run('xlogo', ['-geometry', '140x140+940+170']),
    run('xeyes', ['-geometry', '180x120+1090+200']),
    run('ico', ['-faces', '-dbl', '-sleep', '0.02', '-geometry', '300x300+960+480']),
    run('display', ['-geometry', '+620+330', '-title', 'bench-photo', photo]),
  ];
  // Move the pointer (xeyes follows it) and the photo window around, every 150 ms.
  let step = 0;
  let photoId = '';
  const timer = setInterval(async () => {
    step++;
    try {
      await desktop.x('xdotool', 'mousemove', String(200 + ((step * 37) % 900)), String(100 + ((step * 23) % 600)));
      if (!photoId) photoId = (await desktop.x('xdotool', 'search', '--name', 'bench-photo')).split('\n')[0];
      if (photoId && step % 2 === 0) {
        await desktop.x('xdotool', 'windowmove', photoId, String(560 + ((step * 20) % 200)), String(300 + ((step * 10) % 150)));
      }
    } catch {
      // a window not mapped yet; next time
    }
  }, 150);
  await sleep(2500); // let every window map and draw
  return {
    stop: async () => {
      clearInterval(timer);
      await stopProcesses(children);
    },
  };
}

/** Starts vncgate --record BASE in front of the desktop; resolves with { child, port }. */
async function startRecordingGateway(vncPort, base, logFile) {
  const child = spawnLogged(VNCGATE, ['--record', base, '127.0.0.1:0', `127.0.0.1:${vncPort}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout.pipe(log, { end: false });
  child.stderr.setEncoding('utf8');
  const port = await new Promise((res, rej) => {
    let text = '';
    const timer = setTimeout(() => rej(new Error('vncgate printed no "listening on" line')), 20000);
    child.stderr.on('data', (chunk) => {
      log.write(chunk);
      text += chunk;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    });
    child.exited.then(() => rej(new Error(`vncgate exited; see ${logFile}`)));
  });
  return { child, port };
}

/** Records every name in `names` that has no .bin yet (or all of them with force). */
export async function recordAll(names, { force = false } = {}) {
  mkdirSync(RECORDINGS, { recursive: true });
  const todo = names.filter((n) => force || !existsSync(join(RECORDINGS, `${n}.bin`)));
  if (todo.length === 0) return;
  const dir = mkdtempSync(join(tmpdir(), 'vncgate-bench-record-'));
  let desktop;
  let content;
  try {
    desktop = await startDesktop({
      geometry: `${GEOMETRY.width}x${GEOMETRY.height}`,
      logDir: dir,
      workDir: dir,
      name: 'bench',
      colour: '#3a6ea5',
    });
    content = await populate(desktop, dir);
    for (const name of todo) {
      const base = join(dir, `${name}.rec`);
      const gw = await startRecordingGateway(desktop.port, base, join(dir, 'vncgate.log'));
      try {
        await recordSession(gw.port, ENCODINGS[name], RECORD_MS[name]);
        await sleep(300);
      } finally {
        await stopProcesses([gw.child]);
      }
      const file = readdirSync(dir).find((f) => f.startsWith(`${name}.rec.`));
      if (!file) throw new Error(`vncgate wrote no recording for ${name}`);
      const { frames, complete } = readRecording(join(dir, file));
      const out = writeServerFrames(frames, join(RECORDINGS, `${name}.bin`));
      renameSync(join(dir, file), join(RECORDINGS, `${name}.rec`));
      writeFileSync(
        join(RECORDINGS, `${name}.json`),
        JSON.stringify({ name, encodings: ENCODINGS[name], ...GEOMETRY, recordMs: RECORD_MS[name], complete, ...out }, null, 1),
      );
      console.error(`recorded ${name}: ${out.frames} frames, ${(out.bytes / 1e6).toFixed(1)} MB from the server`);
    }
  } finally {
    await content?.stop();
    await desktop?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const names = args.filter((a) => !a.startsWith('--'));
  for (const n of names) if (!ENCODINGS[n]) throw new Error(`unknown recording ${n}`);
  await recordAll(names.length ? names : Object.keys(ENCODINGS), { force });
}
