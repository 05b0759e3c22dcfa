// End to end for the viewer page a person uses (web/dist/vnc.html and /): connect screen, credentials,
// the RA2ne server verification dialog, control bar, settings in localStorage, noVNC's URL parameters, resize modes, reconnection after a
// VNC server restart, and a phone-sized viewport; real Xvnc/x11vnc behind the gateway, headless chromium.
// Screenshots of each step are left in e2e/artifacts/<gateway>/ui-*/. Build web/dist first.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { xclient } from './lib/desktop.mjs';
import { checkGatewayInstalled } from './lib/gateway.mjs';
import { pidListensOn } from './lib/net.mjs';
import { bound, pollUntil } from './lib/poll.mjs';
import { diedError, isRunning, spawnLogged, stopProcesses } from './lib/process.mjs';
import { withStack } from './lib/stack.mjs';

const WEB_DIST =
  process.env.E2E_WEB_DIST || resolve(dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');
const PASSWORD = 'uipass12';
const ROOT_COLOUR = '2e8b57';
const TEST_TIMEOUT = bound(120000);

const pageUrl = (gateway, query = {}, file = 'vnc.html') =>
  `${gateway.origin}/${file}?${new URLSearchParams(query)}`;

/** What a person sees: status line, connect-screen message, connected or not. */
const uiState = (page) =>
  page.evaluate(() => {
    const text = (id) => document.getElementById(id)?.textContent?.trim() ?? '';
    return {
      status: text('status'),
      level: document.getElementById('status')?.dataset.level,
      message: document.getElementById('message')?.hidden ? '' : text('message'),
      connected: document.documentElement.classList.contains('vncgate-connected'),
      state: document.documentElement.dataset.state,
    };
  });

async function waitConnected(page, what = 'the page to connect') {
  const s = await pollUntil(what, () => uiState(page), {
    accept: (st) => st.connected || st.level === 'error',
  });
  assert.ok(s.connected, `not connected: ${JSON.stringify(s)}`);
}

/** Framebuffer size and the colour of pixel (x, y) through the RFB API. */
const framebufferPixel = (page, x, y) =>
  page.evaluate(
    async ([px, py]) => {
      const image = await window.vncgateRfb.captureFramebuffer();
      const i = (py * image.width + px) * 4;
      const hex = (v) => (v ?? 0).toString(16).padStart(2, '0');
      return {
        width: image.width,
        height: image.height,
        pixel: hex(image.data[i]) + hex(image.data[i + 1]) + hex(image.data[i + 2]),
      };
    },
    [x, y],
  );

const waitForColour = (page, colour) =>
  pollUntil(`the root colour ${colour} on the page`, () => framebufferPixel(page, 2, 2), {
    accept: (f) => f.pixel === colour,
  });

/** The X screen's size, from xdpyinfo. */
async function xScreenSize(display) {
  const out = await xclient(display, 'xdpyinfo', []);
  const m = /dimensions:\s+(\d+)x(\d+) pixels/.exec(out);
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** The #screen element's size in CSS pixels: what resize=remote asks the server for. */
const screenSize = (page) =>
  page.evaluate(() => {
    const s = document.getElementById('screen');
    return { width: s.clientWidth, height: s.clientHeight };
  });

/**
 * Every visible interactive element without an accessible name (aria-label, aria-labelledby,
 * a <label>, its text, or title), as CSS-ish descriptions; [] when all are named.
 */
const unnamedControls = (page) =>
  page.evaluate(() => {
    const visible = (el) =>
      el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    const name = (el) => {
      const by = el.getAttribute('aria-labelledby');
      if (by)
        return by
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? '')
          .join(' ');
      return (
        el.getAttribute('aria-label') ||
        [...(el.labels ?? [])].map((l) => l.textContent).join(' ') ||
        (el.tagName === 'BUTTON' ? el.textContent : '') ||
        el.getAttribute('title') ||
        ''
      );
    };
    return [...document.querySelectorAll('button, input, select, textarea, dialog, canvas')]
      .filter(visible)
      .filter((el) => el.tagName !== 'INPUT' || el.type !== 'hidden')
      .filter((el) => !name(el).trim())
      .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`);
  });

/** Tabs `count` times from the brand at the top left and returns the ids focused. */
async function tabOrder(page, count) {
  // A click on text that takes no focus moves the sequential focus starting point there.
  await page.locator('.brand').click();
  const ids = [];
  for (let i = 0; i < count; i++) {
    await page.keyboard.press('Tab');
    ids.push(
      await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName),
    );
  }
  return ids;
}

/** A finger tap on the middle of `locator`, as a touch screen sends it (CDP touch events). */
async function tap(cdp, locator) {
  const box = await locator.boundingBox();
  const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

const shot = (page, artifacts, name) => page.screenshot({ path: join(artifacts, `${name}.png`) });

/** Starts Xvnc (None) again on `port` after the first one stopped; resolves with { child, display }. */
async function restartXvnc({ port, logDir, geometry }) {
  const child = spawnLogged(
    'Xvnc',
    [
      ['-displayfd', '3', '-rfbport', String(port), '-interface', '127.0.0.1'],
      ['-nolisten', 'tcp', '-UseBlacklist', '0', '-geometry', geometry, '-depth', '24'],
      ['-desktop', 'e2e-restarted', '-SecurityTypes', 'None'],
    ].flat(),
    { logFile: join(logDir, 'xvnc-restarted.log'), stdio: ['ignore', 'log', 'log', 'pipe'] },
  );
  try {
    const display = await new Promise((resolveDisplay, reject) => {
      let text = '';
      child.stdio[3].setEncoding('latin1');
      child.stdio[3].on('data', (d) => {
        text += d;
        const m = /^(\d+)\n/.exec(text);
        if (m) resolveDisplay(`:${m[1]}`);
      });
      child.stdio[3].on('error', () => {});
      child.exited.then(() => reject(diedError('the restarted Xvnc', child)));
    });
    await pollUntil(
      `the restarted Xvnc to listen on ${port}`,
      () => pidListensOn(child.pid, port),
      {
        abort: () => {
          if (!isRunning(child)) throw diedError('the restarted Xvnc', child);
        },
      },
    );
    return { child, display };
  } catch (error) {
    await stopProcesses([child]);
    throw error;
  }
}

/** Reads exact byte counts from a socket: `read(n)` resolves with the next n bytes. */
function byteReader(socket) {
  let buffered = Buffer.alloc(0);
  let waiting = null;
  const check = () => {
    if (waiting && buffered.length >= waiting.n) {
      const { n, resolve: done } = waiting;
      waiting = null;
      const out = buffered.subarray(0, n);
      buffered = buffered.subarray(n);
      done(out);
    }
  };
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    check();
  });
  return {
    read: (n) =>
      new Promise((resolveRead) => {
        waiting = { n, resolve: resolveRead };
        check();
      }),
    rest: () => {
      const out = buffered;
      buffered = Buffer.alloc(0);
      return out;
    },
  };
}

/**
 * Listens on 127.0.0.1 (port 0) and runs `serve(socket)` for each connection (a failure destroys
 * the socket). Resolves with { port, stop(), ...extra }; stop() destroys the open connections and
 * closes the listener.
 */
function listenScripted(serve, extra) {
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    serve(socket).catch(() => socket.destroy());
  });
  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolveServer({
        ...extra,
        port: server.address().port,
        stop: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}

/**
 * A scripted RFB 3.8 server on 127.0.0.1 (port 0) for what no installed VNC server does without
 * PAM or a hypervisor: VeNCrypt Plain (username and password) and XVP. It checks `user` and
 * `password`, sends a 64x48 ServerInit named 'xvp-test' and XVP_INIT, and keeps what the client
 * sends afterwards. Resolves with { port, received(), stop() }.
 */
function startScriptedServer({ user, password }) {
  const received = [];
  const u32 = (v) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v);
    return b;
  };
  const serve = async (socket) => {
    const { read, rest } = byteReader(socket);
    socket.write('RFB 003.008\n');
    await read(12);
    socket.write(Buffer.from([1, 19])); // one security type: VeNCrypt
    await read(1);
    socket.write(Buffer.from([0, 2])); // VeNCrypt 0.2
    await read(2);
    socket.write(Buffer.concat([Buffer.from([0, 1]), u32(256)])); // ack; one subtype: Plain
    await read(4);
    const lengths = await read(8);
    const gotUser = (await read(lengths.readUInt32BE(0))).toString();
    const gotPassword = (await read(lengths.readUInt32BE(4))).toString();
    if (gotUser !== user || gotPassword !== password) {
      const reason = Buffer.from('Wrong username or password');
      socket.end(Buffer.concat([u32(1), u32(reason.length), reason]));
      return;
    }
    socket.write(u32(0)); // SecurityResult OK
    await read(1); // ClientInit
    const name = Buffer.from('xvp-test');
    const init = Buffer.alloc(24);
    init.writeUInt16BE(64, 0);
    init.writeUInt16BE(48, 2);
    Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0]).copy(init, 4);
    init.writeUInt32BE(name.length, 20);
    socket.write(Buffer.concat([init, name, Buffer.from([250, 0, 1, 1])])); // + XVP_INIT
    received.push(...rest());
    socket.on('data', (chunk) => received.push(...chunk));
  };
  return listenScripted(serve, { received: () => received });
}

/**
 * A scripted RA2ne server (security type 6) for the verification dialog: it sends its RSA key and
 * records, per connection, what the client sends next (its own key, once the person approved),
 * then closes. `fingerprint` is the key's SHA-256 in the form the page shows.
 */
function startRa2Server() {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const n = Buffer.from(jwk.n, 'base64url');
  const exponent = Buffer.from(jwk.e, 'base64url');
  const e = Buffer.alloc(n.length);
  exponent.copy(e, n.length - exponent.length);
  const bits = Buffer.alloc(4);
  bits.writeUInt32BE(2048);
  const key = Buffer.concat([bits, n, e]);
  const fingerprint = createHash('sha256').update(key).digest('hex').match(/../g).join(':');
  const connections = [];
  const serve = async (socket) => {
    const { read } = byteReader(socket);
    const connection = { afterKey: [], closed: false };
    connections.push(connection);
    socket.on('close', () => (connection.closed = true));
    socket.write('RFB 003.008\n');
    await read(12);
    socket.write(Buffer.from([1, 6])); // one security type: RA2ne
    await read(1);
    socket.write(key);
    // The client's key: U32 bits, modulus, exponent (2048 bits: 4 + 2 x 256 bytes).
    connection.afterKey = [...(await read(4 + 512))];
    socket.destroy();
  };
  return listenScripted(serve, { fingerprint, connections });
}

/** Whether `bytes` contains `pattern` in a row. */
const containsRun = (bytes, pattern) =>
  bytes.some((_, i) => pattern.every((b, j) => bytes[i + j] === b));

describe('the viewer page', { timeout: TEST_TIMEOUT * 5 }, () => {
  before(() => {
    checkGatewayInstalled();
    assert.ok(
      existsSync(join(WEB_DIST, 'vnc.html')),
      'build web/dist first: cd web && node build.mjs',
    );
  });

  it(
    'Xvnc, VncAuth: connect screen, wrong then right password, keyboard-usable control bar, settings kept across reloads',
    { timeout: TEST_TIMEOUT },
    () =>
      withStack(
        'ui-xvnc-vncauth',
        { web: WEB_DIST, server: 'xvnc', security: 'vncauth', password: PASSWORD },
        async ({ page, gateway, desktop, artifacts, workDir }) => {
          // Nothing listens on port 1: the page says what to check.
          await page.goto(pageUrl(gateway, { autoconnect: 1, port: '1' }));
          const unreachable = await pollUntil('the failure', () => uiState(page), {
            accept: (st) => st.level === 'error',
          });
          assert.match(unreachable.message, /Cannot reach the VNC server.*host, port and path/s);
          await shot(page, artifacts, '00-unreachable');
          // The gateway serves the page at / too.
          await page.goto(`${gateway.origin}/`);
          await page.locator('#connect').waitFor({ state: 'visible' });
          await page.goto(pageUrl(gateway));
          await page.locator('#connect').waitFor({ state: 'visible' });
          assert.match(
            await page.locator('#target').textContent(),
            /^ws:\/\/127\.0\.0\.1:\d+\/websockify$/,
          );
          assert.deepEqual(await unnamedControls(page), []);
          await shot(page, artifacts, '01-connect-screen');

          // A wrong password: the dialog, then a message that says what to do.
          await page.locator('#connect').click();
          await page.locator('#password').waitFor({ state: 'visible' });
          assert.equal(await page.locator('#username-field').isVisible(), false);
          assert.equal((await uiState(page)).status, 'Credentials are required');
          assert.deepEqual(await unnamedControls(page), []);
          await page.locator('#password').fill('wrongpw');
          await shot(page, artifacts, '02-credentials-dialog');
          await page.keyboard.press('Enter');
          const refused = await pollUntil('the refusal', () => uiState(page), {
            accept: (s) => s.level === 'error' || s.connected,
          });
          assert.equal(refused.connected, false);
          assert.match(refused.status, /^Authentication failed/);
          assert.match(refused.message, /Authentication failed.*Check the password/s);
          await page.locator('#connect').waitFor({ state: 'visible' });
          await shot(page, artifacts, '03-wrong-password');

          // The right password connects (keyboard only: Enter on Connect, type, Enter).
          await page.locator('#connect').focus();
          await page.keyboard.press('Enter');
          await page.locator('#password').waitFor({ state: 'visible' });
          await page.keyboard.type(PASSWORD);
          await page.keyboard.press('Enter');
          await waitConnected(page);
          const fb = await waitForColour(page, ROOT_COLOUR);
          assert.deepEqual([fb.width, fb.height], [1024, 768]);
          assert.match((await uiState(page)).status, /^Connected to e2e/);
          assert.equal(await page.title(), 'e2e · vncgate');
          assert.deepEqual(await unnamedControls(page), []);
          await shot(page, artifacts, '04-connected');

          // The control bar in tab order, every control reachable and named.
          const order = await tabOrder(page, 7);
          assert.deepEqual(order, [
            'keys-button',
            'clipboard-button',
            'view-only-button',
            'fullscreen-button',
            'reconnect-button',
            'disconnect-button',
            'settings-button',
          ]);

          // Clipboard panel: Enter opens it with the focus inside, Escape closes it and gives the focus back.
          await page.locator('#clipboard-button').focus();
          await page.keyboard.press('Enter');
          await page.locator('#clipboard-panel').waitFor({ state: 'visible' });
          assert.equal(await page.evaluate(() => document.activeElement.id), 'clipboard-text');
          assert.equal(
            await page.locator('#clipboard-button').getAttribute('aria-expanded'),
            'true',
          );
          await page.keyboard.type('from the panel');
          await page.locator('#clipboard-send').click();
          await pollUntil(
            'the panel text on the X clipboard',
            () =>
              xclient(desktop.display, 'xclip', ['-o', '-selection', 'clipboard']).catch(() => ''),
            { accept: (t) => t === 'from the panel' },
          );
          // And back: text copied on the X side shows up in the panel.
          const owner = spawnLogged('xclip', ['-quiet', '-selection', 'clipboard', '-i'], {
            env: { ...process.env, DISPLAY: desktop.display },
            stdio: ['pipe', 'ignore', 'ignore'],
          });
          owner.stdin.end('copied on X');
          try {
            await pollUntil(
              'the X clipboard in the panel',
              () => page.inputValue('#clipboard-text'),
              {
                accept: (t) => t === 'copied on X',
              },
            );
          } finally {
            await stopProcesses([owner]);
          }
          await shot(page, artifacts, '05-clipboard-panel');
          await page.keyboard.press('Escape');
          await page.locator('#clipboard-panel').waitFor({ state: 'hidden' });
          assert.equal(await page.evaluate(() => document.activeElement.id), 'clipboard-button');

          // Extra keys: Ctrl latches (aria-pressed) until pressed again.
          await page.locator('#keys-button').focus();
          await page.keyboard.press('Enter');
          await page.locator('#keys-panel').waitFor({ state: 'visible' });
          const ctrl = page.locator('#keys-panel button', { hasText: 'Ctrl' }).first();
          await ctrl.click();
          assert.equal(await ctrl.getAttribute('aria-pressed'), 'true');
          await shot(page, artifacts, '06-extra-keys');
          await ctrl.click();
          assert.equal(await ctrl.getAttribute('aria-pressed'), 'false');
          await page.keyboard.press('Escape');
          // The Tab key of the panel reaches the xterm: dash keeps it as a character in the line.
          const file = join(workDir, 'tab.txt');
          const xterm = await desktop.xtermWindow();
          const canvasBox = await page.locator('#screen canvas').boundingBox();
          const inXterm = [canvasBox.x + xterm.x + 40, canvasBox.y + xterm.y + 30];
          await page.mouse.click(...inXterm);
          await page.keyboard.type('echo "a', { delay: 10 });
          await page.locator('#keys-button').click();
          await page.locator('#keys-panel button', { hasText: 'Tab' }).click();
          await page.mouse.click(...inXterm); // closes the panel and gives the canvas the keys again
          await page.keyboard.type(`b" > ${file}`, { delay: 10 });
          await page.keyboard.press('Enter');
          await pollUntil(
            `the xterm to write ${file}`,
            () => (existsSync(file) ? readFileSync(file, 'utf8') : ''),
            {
              accept: (t) => t === 'a\tb\n',
            },
          );

          // View only: Space toggles it; the pointer then stays put on the X server.
          await page.locator('#view-only-button').focus();
          await page.keyboard.press('Space');
          assert.equal(
            await page.locator('#view-only-button').getAttribute('aria-pressed'),
            'true',
          );
          const box = await page.locator('#screen canvas').boundingBox();
          const before = await desktop.mouseLocation();
          await page.mouse.move(box.x + 300, box.y + 300);
          await page.mouse.move(box.x + 310, box.y + 320);
          assert.deepEqual(await desktop.mouseLocation(), before);
          await page.locator('#view-only-button').focus();
          await page.keyboard.press('Space');
          assert.equal(
            await page.locator('#view-only-button').getAttribute('aria-pressed'),
            'false',
          );
          await page.mouse.move(box.x + 320, box.y + 330);
          await pollUntil('the X pointer to follow again', () => desktop.mouseLocation(), {
            accept: (p) => p.x === 320 && p.y === 330,
          });

          // Settings: changed with the keyboard, stored in localStorage, kept after a reload.
          await page.locator('#settings-button').focus();
          await page.keyboard.press('Enter');
          await page.locator('#settings-panel').waitFor({ state: 'visible' });
          await page.locator('#setting-resize').selectOption('scale');
          await page.locator('#setting-show_dot').check();
          await page.locator('#setting-quality').fill('3');
          await page.locator('#setting-reconnect').check();
          await shot(page, artifacts, '07-settings');
          const stored = await page.evaluate(() => ({ ...localStorage }));
          assert.deepEqual(
            [stored.resize, stored.show_dot, stored.quality, stored.reconnect],
            ['scale', 'true', '3', 'true'],
          );
          assert.equal(stored.password, undefined, 'a password must never be stored');
          assert.equal(await page.evaluate(() => window.vncgateRfb.qualityLevel), 3);
          await page.keyboard.press('Escape');
          await page.locator('#disconnect-button').click();
          await pollUntil('the disconnect', () => uiState(page), {
            accept: (s) => s.state === 'idle' && s.status === 'Disconnected',
          });
          await page.reload();
          await page.locator('#connect').waitFor({ state: 'visible' });
          assert.equal(await page.locator('#setting-resize').inputValue(), 'scale');
          assert.equal(await page.locator('#setting-show_dot').isChecked(), true);
          assert.equal(await page.locator('#setting-quality').inputValue(), '3');
          assert.equal(await page.locator('#setting-reconnect').isChecked(), true);
        },
      ),
  );

  it(
    'Xvnc: resize=remote makes the X screen follow the window; resize=scale fits it, crisp on HiDPI',
    { timeout: TEST_TIMEOUT },
    () =>
      withStack(
        'ui-xvnc-resize',
        { web: WEB_DIST, server: 'xvnc', security: 'none' },
        async ({ page, gateway, desktop, artifacts }) => {
          /** Waits until the X screen and the framebuffer have the size of the page's #screen. */
          const followsWindow = async () => {
            const want = await screenSize(page);
            await pollUntil(
              `the X screen to become ${want.width}x${want.height}`,
              () => xScreenSize(desktop.display),
              { accept: (s) => s.width === want.width && s.height === want.height },
            );
            await pollUntil('the framebuffer to follow', () => framebufferPixel(page, 0, 0), {
              accept: (f) => f.width === want.width && f.height === want.height,
            });
          };
          // resize=remote from the URL, then the window changes size twice.
          await page.goto(pageUrl(gateway, { autoconnect: 1, resize: 'remote' }));
          await waitConnected(page);
          for (const viewport of [
            null,
            { width: 900, height: 640 },
            { width: 1200, height: 800 },
          ]) {
            if (viewport) await page.setViewportSize(viewport);
            await followsWindow();
          }
          await shot(page, artifacts, '01-resize-remote');

          // Chosen in Settings during a session (resize off before): the desktop follows at once.
          await page.setViewportSize({ width: 1000, height: 700 });
          await page.goto(pageUrl(gateway, { autoconnect: 1 }));
          await waitConnected(page);
          await page.locator('#settings-button').click();
          await page.locator('#setting-resize').selectOption('remote');
          await followsWindow();
          await page.keyboard.press('Escape');

          // resize=scale on a 2x screen: the 1200x(page) desktop in a 800x600 window, aspect kept.
          await page.setViewportSize({ width: 800, height: 600 });
          const cdp = await page.context().newCDPSession(page);
          await cdp.send('Emulation.setDeviceMetricsOverride', {
            width: 800,
            height: 600,
            deviceScaleFactor: 2,
            mobile: false,
          });
          await page.goto(pageUrl(gateway, { autoconnect: 1, resize: 'scale' }));
          await waitConnected(page);
          const fb = await framebufferPixel(page, 0, 0);
          const layout = await pollUntil(
            'the canvas to be scaled into the window',
            () =>
              page.evaluate(() => {
                const c = document.querySelector('#screen canvas');
                const s = document.getElementById('screen');
                const r = c.getBoundingClientRect();
                return {
                  w: r.width,
                  h: r.height,
                  sw: s.clientWidth,
                  sh: s.clientHeight,
                  dpr: devicePixelRatio,
                  rendering: c.style.imageRendering,
                };
              }),
            {
              accept: (l) =>
                l.w > 0 &&
                l.w <= l.sw &&
                l.h <= l.sh &&
                (Math.abs(l.w - l.sw) < 1 || Math.abs(l.h - l.sh) < 1),
            },
          );
          assert.equal(layout.dpr, 2);
          assert.ok(
            Math.abs(layout.w / layout.h - fb.width / fb.height) < 0.01,
            JSON.stringify({ layout, fb }),
          );
          await shot(page, artifacts, '02-resize-scale-hidpi');
          await cdp.send('Emulation.clearDeviceMetricsOverride');
        },
      ),
  );

  it(
    'Xvnc restarted on the same port: autoconnect and reconnect bring the page back',
    { timeout: TEST_TIMEOUT },
    async () => {
      let restarted;
      try {
        await withStack(
          'ui-xvnc-reconnect',
          { web: WEB_DIST, server: 'xvnc', security: 'none' },
          async ({ page, gateway, desktop, artifacts }) => {
            await page.goto(
              pageUrl(gateway, { autoconnect: 1, reconnect: 1, reconnect_delay: 300 }),
            );
            await waitConnected(page);
            await waitForColour(page, ROOT_COLOUR);
            await desktop.stop();
            const lost = await pollUntil(
              'the page to notice and plan a reconnection',
              () => uiState(page),
              {
                accept: (s) => s.state === 'reconnecting' || s.level === 'error',
              },
            );
            assert.equal(lost.state, 'reconnecting', JSON.stringify(lost));
            assert.match(lost.status, /^Reconnecting/);
            await shot(page, artifacts, '01-reconnecting');
            restarted = await restartXvnc({
              port: desktop.port,
              logDir: artifacts,
              geometry: '1024x768',
            });
            await xclient(restarted.display, 'xsetroot', ['-solid', '#4060a0']);
            await waitConnected(page, 'the page to reconnect');
            await waitForColour(page, '4060a0');
            assert.match((await uiState(page)).status, /^Connected to e2e-restarted/);
            await shot(page, artifacts, '02-reconnected');
          },
        );
      } finally {
        if (restarted) await stopProcesses([restarted.child]);
      }
    },
  );

  it(
    'x11vnc: a noVNC link works unchanged; a phone-sized touch viewport shows a usable page',
    { timeout: TEST_TIMEOUT },
    () =>
      withStack(
        'ui-x11vnc-params-phone',
        { web: WEB_DIST, server: 'x11vnc', security: 'vncauth', password: PASSWORD },
        async ({ page, gateway, desktop, artifacts }) => {
          // A link as noVNC users write it, partly in the hash (which noVNC reads first).
          const query = {
            host: '127.0.0.1',
            port: String(gateway.port),
            path: 'websockify',
            encrypt: '0',
            autoconnect: 'true',
            view_only: '1',
            show_dot: 'true',
            quality: '2',
            compression: '7',
            shared: '1',
            logging: 'debug',
            bell: 'off',
            resize: 'off',
          };
          await page.goto(`${pageUrl(gateway, query)}#password=${PASSWORD}&resize=scale`);
          await waitConnected(page);
          await waitForColour(page, ROOT_COLOUR);
          const rfb = await page.evaluate(() => ({
            viewOnly: window.vncgateRfb.viewOnly,
            showDot: window.vncgateRfb.showDotCursor,
            quality: window.vncgateRfb.qualityLevel,
            compression: window.vncgateRfb.compressionLevel,
            scale: window.vncgateRfb.scaleViewport,
            stored: localStorage.length,
          }));
          assert.deepEqual(rfb, {
            viewOnly: true,
            showDot: true,
            quality: 2,
            compression: 7,
            scale: true,
            stored: 0, // URL parameters apply to this visit only, as in noVNC
          });
          assert.equal(
            await page.locator('#view-only-button').getAttribute('aria-pressed'),
            'true',
          );
          const before = await desktop.mouseLocation();
          const box = await page.locator('#screen canvas').boundingBox();
          await page.mouse.move(box.x + 200, box.y + 200);
          await page.mouse.move(box.x + 250, box.y + 210);
          assert.deepEqual(
            await desktop.mouseLocation(),
            before,
            'view_only=1 must ignore the mouse',
          );
          await shot(page, artifacts, '01-novnc-link');

          // A phone: 390x844 CSS pixels, 3x, touch.
          await page.setViewportSize({ width: 390, height: 844 });
          const cdp = await page.context().newCDPSession(page);
          await cdp.send('Emulation.setDeviceMetricsOverride', {
            width: 390,
            height: 844,
            deviceScaleFactor: 3,
            mobile: true,
          });
          await cdp.send('Emulation.setTouchEmulationEnabled', {
            enabled: true,
            maxTouchPoints: 5,
          });
          // No resize parameter: on a touch screen the desktop is scaled to fit by default.
          await page.goto(pageUrl(gateway, { password: PASSWORD }));
          await page.locator('#connect').waitFor({ state: 'visible' });
          await shot(page, artifacts, '02-phone-connect');
          await tap(cdp, page.locator('#connect'));
          await waitConnected(page);
          await waitForColour(page, ROOT_COLOUR);
          const phone = await page.evaluate(() => {
            const inView = (el) => {
              const r = el.getBoundingClientRect();
              return r.width > 0 && r.left >= 0 && r.right <= innerWidth + 0.5 && r.top >= 0;
            };
            const controls = [...document.querySelectorAll('#controls button')].filter(
              (b) => b.getClientRects().length > 0,
            );
            return {
              width: innerWidth,
              scrollWidth: document.documentElement.scrollWidth,
              keyboardShown: !document.getElementById('keyboard-button').hidden,
              controls: controls.map((b) => b.id),
              offscreen: controls.filter((b) => !inView(b)).map((b) => b.id),
              smallTargets: controls
                .filter((b) => b.getBoundingClientRect().height < 40)
                .map((b) => b.id),
            };
          });
          assert.equal(phone.width, 390);
          assert.ok(phone.scrollWidth <= 390, `the page scrolls sideways: ${phone.scrollWidth}`);
          assert.equal(
            phone.keyboardShown,
            true,
            'touch devices get the on-screen keyboard button',
          );
          assert.ok(phone.controls.includes('disconnect-button'));
          assert.deepEqual(phone.offscreen, []);
          assert.deepEqual(phone.smallTargets, []);
          const fit = await page.evaluate(() => {
            const r = document.querySelector('#screen canvas').getBoundingClientRect();
            return {
              left: r.left,
              right: r.right,
              resize: document.getElementById('screen').dataset.resize,
            };
          });
          assert.equal(fit.resize, 'scale');
          assert.ok(
            fit.left >= 0 && fit.right <= 390.5,
            `the desktop does not fit: ${JSON.stringify(fit)}`,
          );
          assert.deepEqual(await unnamedControls(page), []);
          await shot(page, artifacts, '03-phone-connected');
          await tap(cdp, page.locator('#settings-button'));
          await page.locator('#settings-panel').waitFor({ state: 'visible' });
          await shot(page, artifacts, '04-phone-settings');
          await cdp.send('Emulation.setTouchEmulationEnabled', { enabled: false });
          await cdp.send('Emulation.clearDeviceMetricsOverride');
        },
      ),
  );

  it(
    'RA2ne: the server key fingerprint is shown; Reject (Escape) ends, Approve (keyboard) goes on, once per key',
    { timeout: TEST_TIMEOUT },
    () =>
      withStack(
        'ui-ra2ne-verify',
        { web: WEB_DIST, vncServer: startRa2Server },
        async ({ desktop: server, gateway, page, artifacts }) => {
          const dialog = page.locator('#verify-dialog');

          // The dialog: the fingerprint, Reject focused; Escape rejects and nothing more is sent.
          await page.goto(pageUrl(gateway, { autoconnect: 1 }));
          await dialog.waitFor({ state: 'visible' });
          assert.equal(
            (await page.locator('#verify-fingerprint').textContent()).trim(),
            server.fingerprint,
          );
          assert.match(await dialog.textContent(), /fingerprint is.*Do you trust this server\?/s);
          assert.equal(await page.evaluate(() => document.activeElement.id), 'reject-server');
          assert.equal((await uiState(page)).status, 'Verify the server before connecting');
          assert.deepEqual(await unnamedControls(page), []);
          await shot(page, artifacts, '01-verify-dialog');
          await page.keyboard.press('Escape');
          await dialog.waitFor({ state: 'hidden' });
          const rejected = await pollUntil('the rejection', () => uiState(page), {
            accept: (st) => st.state === 'idle' && st.message !== '',
          });
          assert.match(rejected.message, /Server not trusted.*rejected the server's identity key/s);
          await pollUntil('the first connection to close', () => server.connections[0]?.closed, {
            accept: (closed) => closed === true,
          });
          assert.deepEqual(server.connections[0].afterKey, [], 'nothing after a rejected key');
          await shot(page, artifacts, '02-rejected');

          // Connect again: Tab to Approve, Enter; the client's key follows.
          await page.locator('#connect').focus();
          await page.keyboard.press('Enter');
          await dialog.waitFor({ state: 'visible' });
          await page.keyboard.press('Tab');
          assert.equal(await page.evaluate(() => document.activeElement.id), 'approve-server');
          await page.keyboard.press('Enter');
          await dialog.waitFor({ state: 'hidden' });
          const approved = await pollUntil(
            "the client's key after the approval",
            () => server.connections[1]?.afterKey,
            { accept: (bytes) => bytes?.length > 0 },
          );
          assert.deepEqual(approved.slice(0, 4), [0, 0, 8, 0]); // 2048 bits
          await pollUntil('the page to see the server close', () => uiState(page), {
            accept: (st) => st.state === 'idle',
          });

          // The same key again on this page: no dialog, the client goes on by itself.
          await page.locator('#connect').click();
          await pollUntil(
            "the client's key without asking",
            () => server.connections[2]?.afterKey,
            {
              accept: (bytes) => bytes?.length > 0,
            },
          );
          assert.equal(await dialog.isVisible(), false);
        },
      ),
  );

  it(
    'VeNCrypt Plain asks for username and password; XVP shows the power menu and sends the action',
    { timeout: TEST_TIMEOUT },
    () =>
      withStack(
        'ui-plain-xvp',
        {
          web: WEB_DIST,
          vncServer: () => startScriptedServer({ user: 'alice', password: 'sesame' }),
        },
        async ({ desktop: server, gateway, page, artifacts }) => {
          await page.goto(pageUrl(gateway, { autoconnect: 1 }));
          await page.locator('#username').waitFor({ state: 'visible' });
          assert.equal(await page.locator('#password').isVisible(), true);
          assert.match(
            await page.locator('#credentials-hint').textContent(),
            /username and password/,
          );
          assert.equal(await page.evaluate(() => document.activeElement.id), 'username');
          await page.keyboard.type('alice');
          await page.keyboard.press('Tab');
          await page.keyboard.type('sesame');
          await shot(page, artifacts, '01-username-and-password');
          await page.keyboard.press('Enter');
          await waitConnected(page);
          await page.locator('#power-button').waitFor({ state: 'visible' });
          await page.locator('#power-button').focus();
          await page.keyboard.press('Enter');
          await page.locator('#power-panel').waitFor({ state: 'visible' });
          assert.deepEqual(await unnamedControls(page), []);
          await shot(page, artifacts, '02-power-menu');
          await page.locator('#power-reboot').click();
          await page.locator('#power-panel').waitFor({ state: 'hidden' });
          await pollUntil('XVP reboot (250, 0, 1, 3) at the server', () => server.received(), {
            accept: (bytes) => containsRun(bytes, [250, 0, 1, 3]),
          });
          assert.equal(
            containsRun(server.received(), [250, 0, 1, 2]),
            false,
            'no shutdown was asked',
          );
        },
      ),
  );
});
