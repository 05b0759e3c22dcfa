// Helpers for the input e2e tests: a bare test page around web/dist's RFB, keyboards typed through CDP
// as a real US or German keyboard sends them, an xev window that reports X events, and numbered screenshots.
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pidListensOn } from './net.mjs';
import { bound, pollUntil } from './poll.mjs';
import { atExit, diedError, isRunning, spawnLogged, stopProcesses } from './process.mjs';
import { withStack } from './stack.mjs';

export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');
export const ROOT_COLOUR = '2e8b57';
export const TEST_TIMEOUT = bound(150000);

// The page: the library and its worker from web/dist, a 1024x768 screen at the top left, and
// the RFB object and its events on window, independent of the viewer page's UI.
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>input e2e</title>
<style>html, body { margin: 0; padding: 0; } #screen { width: 1024px; height: 768px; }</style>
</head><body><div id="screen"></div>
<script type="module">
import { RFB } from './vncgate.js';
const params = new URLSearchParams(location.search);
const log = { connected: false, disconnect: null, clipboard: [], clipboardaccess: [] };
window.inputLog = log;
const rfb = new RFB(document.getElementById('screen'), '/websockify', {
  useWorker: params.get('worker') === '0' ? false : undefined,
});
window.rfb = rfb;
rfb.addEventListener('connect', () => { log.connected = true; rfb.focus(); });
rfb.addEventListener('disconnect', (e) => { log.disconnect = e.detail; });
rfb.addEventListener('clipboard', (e) => log.clipboard.push(e.detail.text));
rfb.addEventListener('clipboardaccess', (e) => log.clipboardaccess.push(e.detail.access));
</script></body></html>
`;

/** A scratch web root with web/dist's library and worker and the test page; removed by `remove()`. */
function makeWebRoot() {
  assert.ok(
    existsSync(join(WEB_DIST, 'vncgate.js')),
    'build web/dist first: cd web && node build.mjs',
  );
  const dir = mkdtempSync(join(tmpdir(), 'vncgate-input-web-'));
  const forget = atExit(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ['vncgate.js', 'vncgate-worker.js'])
    copyFileSync(join(WEB_DIST, f), join(dir, f));
  writeFileSync(join(dir, 'input.html'), PAGE);
  return {
    dir,
    remove: () => {
      forget();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `body(t)` against a desktop (`server`: 'xvnc' | 'x11vnc'), the gateway serving the test
 * page, and chromium on it, connected and showing the desktop. `t` has the stack's desktop, page,
 * workDir, gateway, plus `shot(name)` (a numbered screenshot in the scenario's artifacts),
 * `canvasBox`, and `cdp` (a CDP session for key events).
 */
export async function withInputStack(scenario, server, body, { permissions = [] } = {}) {
  const web = makeWebRoot();
  try {
    await withStack(`input-${scenario}`, { web: web.dir, server, security: 'none' }, async (s) => {
      let n = 0;
      const shot = (name) =>
        s.page.screenshot({
          path: join(s.artifacts, `${String(++n).padStart(2, '0')}-${name}.png`),
        });
      if (permissions.length) {
        await s.page.context().grantPermissions(permissions, { origin: s.gateway.origin });
      }
      await s.page.goto(`${s.gateway.origin}/input.html`);
      await waitConnected(s.page);
      const canvasBox = await s.page.locator('#screen canvas').boundingBox();
      const cdp = await s.page.context().newCDPSession(s.page);
      await shot('connected');
      await body({ ...s, shot, canvasBox, cdp });
    });
  } finally {
    web.remove();
  }
}

/** Waits until the page's client is connected and shows the desktop's root colour. */
export async function waitConnected(page) {
  const log = await pollUntil('the client to connect', () => page.evaluate(() => window.inputLog), {
    accept: (l) => l.connected || l.disconnect,
  });
  assert.ok(log.connected, `not connected: ${JSON.stringify(log.disconnect)}`);
  await pollUntil('the desktop in the framebuffer', () => pixel(page, 2, 2), {
    accept: (p) => p === ROOT_COLOUR,
  });
}

/**
 * Starts x11vnc again on the same display and port. x11vnc reads the X keymap once, at start,
 * and does not follow a later setxkbmap (its log says it "added missing" keysyms the new
 * keymap has); deployments set the keymap before starting it, and so do the tests this way.
 * The page must connect again afterwards.
 */
export async function restartX11vnc(desktop) {
  await stopProcesses([desktop.server]);
  const child = spawnLogged(
    'x11vnc',
    [
      ['-display', desktop.display],
      ['-rfbport', String(desktop.port)],
      ['-localhost', '-noipv6', '-forever', '-shared', '-nopw'],
    ].flat(),
    { logFile: join(desktop.logDir, 'x11vnc-restarted.log') },
  );
  desktop.server = child; // stopped with the desktop
  await pollUntil('x11vnc to listen again', () => pidListensOn(child.pid, desktop.port), {
    abort: () => {
      if (!isRunning(child)) throw diedError('x11vnc', child);
    },
  });
}

/** The framebuffer pixel at x,y as 'rrggbb'. */
export function pixel(page, x, y) {
  return page.evaluate(
    async ([px, py]) => {
      const image = await window.rfb.captureFramebuffer();
      const i = (py * image.width + px) * 4;
      const hex = (v) => v.toString(16).padStart(2, '0');
      return hex(image.data[i]) + hex(image.data[i + 1]) + hex(image.data[i + 2]);
    },
    [x, y],
  );
}

/** Waits until `file` exists and ends with a newline; resolves with its text. */
export function readWhenWritten(file, what) {
  return pollUntil(what, () => (existsSync(file) ? readFileSync(file, 'utf8') : ''), {
    accept: (s) => s.endsWith('\n'),
    timeout: bound(30000),
  });
}

/** Clicks into the xterm (so that it has the keyboard focus) through the canvas. */
export async function focusXterm({ desktop, page, canvasBox }) {
  const xterm = await desktop.xtermWindow();
  const x = xterm.x + 40;
  const y = xterm.y + 30;
  await page.mouse.click(canvasBox.x + x + 0.5, canvasBox.y + y + 0.5);
  await pollUntil('the X pointer on the xterm', () => desktop.mouseLocation(), {
    accept: (p) => p.x === x && p.y === y,
  });
}

// US layout: character → [code, shift].
const US = new Map();
for (const c of 'abcdefghijklmnopqrstuvwxyz') {
  US.set(c, [`Key${c.toUpperCase()}`, false]);
  US.set(c.toUpperCase(), [`Key${c.toUpperCase()}`, true]);
}
'0123456789'.split('').forEach((d, i) => {
  US.set(d, [`Digit${d}`, false]);
  US.set(')!@#$%^&*('[i], [`Digit${d}`, true]);
});
for (const [code, plain, shifted] of [
  ['Minus', '-', '_'],
  ['Equal', '=', '+'],
  ['BracketLeft', '[', '{'],
  ['BracketRight', ']', '}'],
  ['Backslash', '\\', '|'],
  ['Semicolon', ';', ':'],
  ['Quote', "'", '"'],
  ['Backquote', '`', '~'],
  ['Comma', ',', '<'],
  ['Period', '.', '>'],
  ['Slash', '/', '?'],
  ['Space', ' ', ' '],
]) {
  US.set(plain, [code, false]);
  if (shifted !== plain) US.set(shifted, [code, true]);
}

// German layout: the characters the tests type, → [code, shift, altGr], or a dead key and base.
const DE = new Map([
  ['@', ['KeyQ', false, true]],
  ['€', ['KeyE', false, true]],
  ['{', ['Digit7', false, true]],
  ['[', ['Digit8', false, true]],
  [']', ['Digit9', false, true]],
  ['}', ['Digit0', false, true]],
  ['\\', ['Minus', false, true]],
  ['~', ['BracketRight', false, true]],
  ['|', ['IntlBackslash', false, true]],
  ['y', ['KeyZ', false, false]],
  ['z', ['KeyY', false, false]],
  ['ß', ['Minus', false, false]],
  ['ö', ['Semicolon', false, false]],
  ['Ä', ['Quote', true, false]],
  [' ', ['Space', false, false]],
  ['x', ['KeyX', false, false]],
]);
// Dead keys of the German layout: composed character → [dead key code, shift, base code].
const DE_DEAD = new Map([
  ['é', ['Equal', false, 'KeyE']],
  ['è', ['Equal', true, 'KeyE']],
  ['ê', ['Backquote', false, 'KeyE']],
]);

const MOD_SHIFT = 8;
const MOD_CTRL = 2;

/** Sends one key event through CDP, as the browser gets it from a keyboard. */
async function keyEvent(cdp, type, { key, code, text, location = 0, modifiers = 0 }) {
  await cdp.send('Input.dispatchKeyEvent', {
    type: type === 'down' ? (text ? 'keyDown' : 'rawKeyDown') : 'keyUp',
    key,
    code,
    text: type === 'down' ? text : undefined,
    unmodifiedText: type === 'down' ? text : undefined,
    location,
    modifiers,
  });
}

const SHIFT = { key: 'Shift', code: 'ShiftLeft', location: 1 };
const ALTGR = { key: 'AltGraph', code: 'AltRight', location: 2 };
const CTRL = { key: 'Control', code: 'ControlLeft', location: 1 };

/** Presses and releases a key, with Shift and AltGr held around it when asked. */
async function stroke(cdp, { key, code, text }, { shift = false, altGr = false } = {}) {
  const mods = shift ? MOD_SHIFT : 0;
  if (shift) await keyEvent(cdp, 'down', { ...SHIFT, modifiers: MOD_SHIFT });
  if (altGr) await keyEvent(cdp, 'down', ALTGR);
  await keyEvent(cdp, 'down', { key, code, text, modifiers: mods });
  await keyEvent(cdp, 'up', { key, code, modifiers: mods });
  if (altGr) await keyEvent(cdp, 'up', ALTGR);
  if (shift) await keyEvent(cdp, 'up', SHIFT);
}

/** Types `text` as a US keyboard does it (Shift pressed for shifted characters); \n is Enter. */
export async function typeUs(cdp, text) {
  for (const ch of text) {
    if (ch === '\n') {
      await stroke(cdp, { key: 'Enter', code: 'Enter', text: '\r' });
      continue;
    }
    const k = US.get(ch);
    assert.ok(k, `no US key for ${JSON.stringify(ch)}`);
    await stroke(cdp, { key: ch, code: k[0], text: ch }, { shift: k[1] });
  }
}

/** Types `text` as a German keyboard does it: AltGr for @ € { [ ] } \ ~ |, dead keys for accents. */
export async function typeDe(cdp, text) {
  for (const ch of text) {
    if (ch === '\n') {
      await stroke(cdp, { key: 'Enter', code: 'Enter', text: '\r' });
      continue;
    }
    const dead = DE_DEAD.get(ch);
    if (dead) {
      const [deadCode, shift, baseCode] = dead;
      await stroke(cdp, { key: 'Dead', code: deadCode }, { shift });
      await stroke(cdp, { key: ch, code: baseCode, text: ch });
      continue;
    }
    const k = DE.get(ch) ?? (/[a-wx]/.test(ch) ? [`Key${ch.toUpperCase()}`, false, false] : null);
    assert.ok(k, `no German key for ${JSON.stringify(ch)}`);
    await stroke(cdp, { key: ch, code: k[0], text: ch }, { shift: k[1], altGr: k[2] });
  }
}

/** Holds a key down through `repeats` autorepeat keydowns, then releases it. */
export async function holdKey(cdp, key, code, repeats) {
  await keyEvent(cdp, 'down', { key, code, text: key });
  for (let i = 0; i < repeats; i++) {
    await cdp.send('Input.dispatchKeyEvent', {
      type: 'keyDown',
      key,
      code,
      text: key,
      autoRepeat: true,
    });
  }
  await keyEvent(cdp, 'up', { key, code });
}

/** Ctrl+<letter> as a keyboard sends it (Ctrl held, key is the letter). */
export async function ctrlKey(cdp, letter) {
  const code = `Key${letter.toUpperCase()}`;
  await keyEvent(cdp, 'down', { ...CTRL, modifiers: MOD_CTRL });
  await keyEvent(cdp, 'down', { key: letter, code, modifiers: MOD_CTRL });
  await keyEvent(cdp, 'up', { key: letter, code, modifiers: MOD_CTRL });
  await keyEvent(cdp, 'up', CTRL);
}

/**
 * Turns on touch emulation in the page and returns `touch(type, points)`, which sends a CDP touch
 * event (touchStart, touchMove, touchEnd) with `points` as [x, y] framebuffer positions, the
 * point's index its id.
 */
export async function touchDriver({ cdp, canvasBox }) {
  await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 5 });
  return (type, points) =>
    cdp.send('Input.dispatchTouchEvent', {
      type,
      touchPoints: points.map(([x, y], id) => ({
        x: canvasBox.x + x + 0.5,
        y: canvasBox.y + y + 0.5,
        id,
      })),
    });
}

/**
 * Starts xev with its window at `geometry` ('WxH+X+Y') on the desktop and waits for it to be
 * mapped. Returns { events(): parsed ButtonPress/ButtonRelease/MotionNotify events so far,
 * withState(): the same with the modifier state too, output(): xev's text so far, stop() }. Each
 * event: { type, button, x, y } with root coordinates (and `state`); an event xev has not finished
 * writing is left out.
 */
export async function startXev(desktop, geometry, logDir) {
  const name = 'e2e-xev';
  const child = spawnLogged('stdbuf', ['-oL', 'xev', '-name', name, '-geometry', geometry], {
    env: { ...process.env, DISPLAY: desktop.display },
    stdio: ['ignore', 'pipe', 'log'],
    logFile: join(logDir, 'xev.log'),
  });
  let out = '';
  child.stdout.setEncoding('latin1');
  child.stdout.on('data', (d) => {
    out += d;
  });
  const stop = () => stopProcesses([child]);
  try {
    await pollUntil('the xev window to be mapped', () => out, {
      accept: (o) => /MapNotify|Expose/.test(o),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const withState = () =>
    out
      .split(/\n(?=\S)/)
      .map((block) => {
        const type = /^(ButtonPress|ButtonRelease|MotionNotify) event/.exec(block)?.[1];
        // xev writes an event line by line (root:(x,y) on the second, the button on the last):
        // an event whose last line has not arrived yet is left for the next call.
        if (!type || !/same_screen \w+\n/.test(block)) return null;
        const root = /root:\((-?\d+),(-?\d+)\)/.exec(block);
        const button = /button (\d+)/.exec(block);
        return {
          type,
          button: button ? Number(button[1]) : 0,
          x: Number(root?.[1]),
          y: Number(root?.[2]),
          state: Number(/state (0x[0-9a-f]+)/i.exec(block)?.[1]),
        };
      })
      .filter(Boolean);
  const events = () => withState().map(({ state: _state, ...e }) => e);
  return { events, withState, output: () => out, stop };
}
