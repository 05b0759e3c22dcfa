// Acceptance, as a websockify user would see it: Debian's noVNC page served by the gateway
// (`GATEWAY --web /usr/share/novnc 127.0.0.1:PORT 127.0.0.1:VNCPORT`), headless chromium, and a
// real VNC server (TigerVNC Xvnc, or Xvfb + x11vnc) with a visible desktop behind it.
// E2E_GATEWAY=websockify runs the same tests against Debian's websockify.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { artifactDir } from './lib/artifacts.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { Cleanup } from './lib/cleanup.mjs';
import { checkGatewayInstalled, gatewayConfig, startGateway } from './lib/gateway.mjs';
import { freePort } from './lib/net.mjs';
import {
  NOVNC_WEB,
  canvasSize,
  noVncState,
  noVncUrl,
  recordStatuses,
  screenCanvas,
  statusHistory,
  waitCanvasSettled,
  waitConnected,
  waitDisconnectedUi,
  waitForCanvasColour,
} from './lib/novnc.mjs';
import { bound, pollUntil } from './lib/poll.mjs';
import { isRunning } from './lib/process.mjs';
import { withStack } from './lib/stack.mjs';

const GATEWAY = gatewayConfig.kind;
const ROOT_COLOUR = '#2e8b57';
const GEOMETRY = { width: 1024, height: 768 };
const PASSWORD = 'e2epass'; // VncAuth uses at most 8 characters
const WRONG_PASSWORD = 'wrongpw';
/** Canvas points that show the root window, away from the xterm at +100+100. */
const ROOT_POINTS = [
  [2, 2],
  [1000, 700],
  [1020, 5],
  [5, 760],
];
/** A failure bound for one test; a test normally takes a few seconds. */
const TEST_TIMEOUT = bound(120000);

/** What every scenario's stack shares; each adds its server and security. */
const STACK = {
  web: NOVNC_WEB,
  password: PASSWORD,
  geometry: `${GEOMETRY.width}x${GEOMETRY.height}`,
  colour: ROOT_COLOUR,
  settle: waitCanvasSettled,
};

/** Opens vnc.html from the gateway and waits until noVNC is connected and shows the desktop. */
async function connect({ page, gateway }, { password } = {}) {
  await page.goto(noVncUrl(gateway.origin, { password }));
  await waitConnected(page);
  assert.deepEqual(await canvasSize(page), GEOMETRY, 'canvas size = framebuffer size');
  await waitForCanvasColour(page, ROOT_POINTS, ROOT_COLOUR);
}

/**
 * Opens vnc.html without a password, types it into noVNC's password dialog, and waits until the
 * desktop shows, as a user who does not put the password into the URL would.
 */
async function connectWithDialog({ page, gateway }) {
  await page.goto(noVncUrl(gateway.origin));
  await page.locator('#noVNC_password_input').fill(PASSWORD);
  await page.locator('#noVNC_credentials_button').click();
  await waitConnected(page);
  await waitForCanvasColour(page, ROOT_POINTS, ROOT_COLOUR);
}

/**
 * Opens vnc.html with a wrong password and checks that noVNC shows its failure state: an error
 * in the status bar saying the connection was rejected, not connected, the Connect panel open.
 * Returns the status text.
 */
async function expectRefused({ page, gateway }) {
  await page.goto(noVncUrl(gateway.origin, { password: WRONG_PASSWORD }));
  const state = await pollUntil('noVNC to show the refusal', () => noVncState(page), {
    accept: (s) => s.statusError || s.connected,
  });
  assert.equal(state.connected, false, 'connected although the password was wrong');
  assert.match(state.status, /rejected/i);
  await waitDisconnectedUi(page, 'the Connect panel after the refusal');
  return state.status;
}

/**
 * The pointer, a click and the keyboard, checked on the X server: the pointer position with
 * `xdotool getmouselocation`, the click with `xdotool selectwindow` (it must land on the xterm),
 * and keys by a shell command typed into the xterm, checked through the file it writes.
 */
async function checkInput({ desktop, page, workDir }) {
  // noVNC's default resize=off and a viewport larger than the framebuffer: 1 CSS px = 1 px.
  const box = await screenCanvas(page).boundingBox();
  for (const [x, y] of [
    [700, 600],
    [650, 500],
  ]) {
    await page.mouse.move(box.x + x, box.y + y);
    await pollUntil(`the X pointer at ${x},${y}`, () => desktop.mouseLocation(), {
      accept: (p) => p.x === x && p.y === y,
    });
  }

  const xterm = await desktop.xtermWindow();
  const target = { x: box.x + xterm.x + 40, y: box.y + xterm.y + 30 };
  const watcher = desktop.watchNextClick();
  try {
    // A click before selectwindow's grab lands in the xterm: harmless, so click until it tells.
    await pollUntil(
      'a click to reach the xterm (xdotool selectwindow)',
      async () => {
        await page.mouse.click(target.x, target.y);
        await pollUntil('selectwindow', () => watcher.picked(), { timeout: 1000 }).catch(() => {});
        return watcher.picked();
      },
      { accept: Boolean, interval: 0 },
    );
    assert.equal(watcher.picked(), xterm.id, 'the click landed on another window');
  } finally {
    await watcher.stop();
  }

  // With no window manager, X gives the keys to the window under the pointer: the xterm.
  const file = join(workDir, 'typed.txt');
  await page.keyboard.type(`echo "Typed_OK: $((6*7)) {|~}" > ${file}`, { delay: 10 });
  await page.keyboard.press('Enter');
  const text = await pollUntil(
    `the typed command to write ${file}`,
    () => (existsSync(file) ? readFileSync(file, 'utf8') : ''),
    { accept: (s) => s.endsWith('\n') },
  );
  assert.equal(text, 'Typed_OK: 42 {|~}\n', 'the keys arrived altered');
}

describe(`noVNC through ${GATEWAY} to a real VNC server`, { timeout: TEST_TIMEOUT * 10 }, () => {
  before(() => checkGatewayInstalled());

  it('serves the noVNC page and its modules over HTTP', { timeout: TEST_TIMEOUT }, async () => {
    const artifacts = artifactDir(GATEWAY, 'static-files');
    // Nothing listens on the target port: these requests never open a VNC connection.
    const gateway = await startGateway({
      web: NOVNC_WEB,
      vncPort: await freePort(),
      logDir: artifacts,
    });
    try {
      for (const [path, type] of [
        ['/vnc.html', /^text\/html/],
        ['/app/ui.js', /javascript/],
        ['/core/rfb.js', /javascript/],
        ['/app/styles/base.css', /^text\/css/],
      ]) {
        const response = await fetch(new URL(path, gateway.origin));
        assert.equal(response.status, 200, `GET ${path}`);
        assert.match(response.headers.get('content-type') ?? '', type, `Content-Type of ${path}`);
        const body = Buffer.from(await response.arrayBuffer());
        assert.deepEqual(body, readFileSync(join(NOVNC_WEB, path)), `body of ${path}`);
      }
      const missing = await fetch(new URL('/no-such-file.html', gateway.origin));
      assert.equal(missing.status, 404, 'GET of a missing file');
    } finally {
      await gateway.stop();
    }
  });

  it(
    'Xvnc, security None: shows the desktop; pointer, click and keys reach X',
    { timeout: TEST_TIMEOUT },
    () =>
      withStack('xvnc-none', { ...STACK, server: 'xvnc', security: 'none' }, async (stack) => {
        await connect(stack);
        await checkInput(stack);
      }),
  );

  it(
    'Xvnc, VncAuth: the password in the URL connects, and so does one typed into the dialog',
    { timeout: TEST_TIMEOUT },
    () =>
      withStack(
        'xvnc-vncauth',
        { ...STACK, server: 'xvnc', security: 'vncauth' },
        async (stack) => {
          await connect(stack, { password: PASSWORD });
          await connectWithDialog(stack);
        },
      ),
  );

  it('Xvnc, VncAuth: a wrong password is refused', { timeout: TEST_TIMEOUT }, () =>
    withStack(
      'xvnc-vncauth-wrong',
      { ...STACK, server: 'xvnc', security: 'vncauth' },
      async (stack) => {
        await expectRefused(stack);
      },
    ),
  );

  it(
    'x11vnc, security None: shows the desktop; pointer, click and keys reach X',
    { timeout: TEST_TIMEOUT },
    () =>
      withStack('x11vnc-none', { ...STACK, server: 'x11vnc', security: 'none' }, async (stack) => {
        await connect(stack);
        await checkInput(stack);
      }),
  );

  it(
    'x11vnc, VncAuth: a wrong password is refused, then the right one connects',
    { timeout: TEST_TIMEOUT },
    () =>
      withStack(
        'x11vnc-vncauth',
        { ...STACK, server: 'x11vnc', security: 'vncauth' },
        async (stack) => {
          await expectRefused(stack);
          await connect(stack, { password: PASSWORD });
        },
      ),
  );

  it(
    'the VNC server dying mid-session makes noVNC show a disconnect',
    { timeout: TEST_TIMEOUT },
    () =>
      withStack('server-dies', { ...STACK, server: 'xvnc', security: 'none' }, async (stack) => {
        const { desktop, gateway, page } = stack;
        await connect(stack);
        await recordStatuses(page);
        desktop.server.kill('SIGKILL');
        await desktop.server.exited;
        const state = await waitDisconnectedUi(
          page,
          'noVNC to show the disconnect (the VNC server was killed)',
        );
        const seen = await statusHistory(page);
        assert.ok(
          seen.some((s) => /disconnected|connection is closed|failed/i.test(s)),
          `no disconnect message among the statuses ${JSON.stringify(seen)} (${state.status})`,
        );
        // The gateway outlives its target and still serves the next user.
        assert.ok(isRunning(gateway.child), `${GATEWAY} exited when the VNC server died`);
        const again = await fetch(new URL('/vnc.html', gateway.origin));
        assert.equal(again.status, 200, 'GET /vnc.html after the VNC server died');
      }),
  );

  it(
    'a VNC server that is not running makes noVNC fail to connect',
    { timeout: TEST_TIMEOUT },
    async () => {
      const artifacts = artifactDir(GATEWAY, 'no-server');
      const cleanup = new Cleanup();
      try {
        const gateway = await startGateway({
          web: NOVNC_WEB,
          vncPort: await freePort(),
          logDir: artifacts,
        });
        cleanup.defer(() => gateway.stop());
        const browser = await launchBrowser({ consoleLog: join(artifacts, 'browser-console.log') });
        cleanup.defer(() => browser.close());
        await browser.page.goto(noVncUrl(gateway.origin));
        const state = await pollUntil('noVNC to give up', () => noVncState(browser.page), {
          accept: (s) => s.statusError || s.connected,
        });
        assert.equal(state.connected, false);
        assert.match(state.status, /failed/i);
        await browser.page.screenshot({ path: join(artifacts, 'final.png') });
        assert.ok(isRunning(gateway.child), `${GATEWAY} exited when its target refused`);
      } finally {
        await cleanup.run();
      }
    },
  );
});
