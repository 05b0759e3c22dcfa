// End to end for vncgate's own web client: web/dist (vnc.html, vncgate.js, the worker) served by the
// gateway, headless chromium, and a real VNC server (Xvnc or x11vnc) behind it. Build web/dist first
// (cd web && node build.mjs). E2E_GATEWAY=websockify runs the same tests against websockify.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { artifactDir } from './lib/artifacts.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { Cleanup } from './lib/cleanup.mjs';
import { snapshotBuild } from './lib/client-snapshot.mjs';
import { startDesktop, writePasswordFile } from './lib/desktop.mjs';
import { checkGatewayInstalled, gatewayConfig, startGateway } from './lib/gateway.mjs';
import { bound, pollUntil } from './lib/poll.mjs';

const GATEWAY = gatewayConfig.kind;
const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');
/** The private copy of web/dist and the gateway that every test here serves (see before()). */
let build;
const buildCleanup = new Cleanup();
const ROOT_COLOUR = '2e8b57';
const GEOMETRY = { width: 1024, height: 768 };
const PASSWORD = 'e2epass';
const ROOT_POINTS = [
  [2, 2],
  [1000, 700],
  [1020, 5],
  [5, 760],
];
const TEST_TIMEOUT = bound(120000);

/** Starts desktop, gateway (serving web/dist) and chromium; runs body; stops everything. */
async function withStack(scenario, options, body) {
  const artifacts = artifactDir(GATEWAY, `client-${scenario}`);
  const workDir = mkdtempSync(join(tmpdir(), 'vncgate-client-e2e-'));
  const cleanup = new Cleanup();
  cleanup.defer(() => rmSync(workDir, { recursive: true, force: true }));
  let page;
  try {
    const passwordFile =
      options.security === 'vncauth' ? await writePasswordFile(workDir, PASSWORD) : undefined;
    const desktop = await startDesktop({
      ...options,
      passwordFile,
      geometry: `${GEOMETRY.width}x${GEOMETRY.height}`,
      colour: `#${ROOT_COLOUR}`,
      logDir: artifacts,
      workDir,
    });
    cleanup.defer(() => desktop.stop());
    const gateway = await startGateway({
      web: build.web,
      config: build.config,
      vncPort: desktop.port,
      logDir: artifacts,
    });
    cleanup.defer(() => gateway.stop());
    const browser = await launchBrowser({ consoleLog: join(artifacts, 'browser-console.log') });
    cleanup.defer(() => browser.close());
    page = browser.page;
    await body({ desktop, gateway, page, workDir });
    await page.screenshot({ path: join(artifacts, 'final.png') });
  } catch (error) {
    if (page) await page.screenshot({ path: join(artifacts, 'failure.png') }).catch(() => {});
    error.message += `\n    logs and screenshots: ${artifacts}`;
    throw error;
  } finally {
    await cleanup.run();
  }
}

const viewerUrl = (gateway, query) => `${gateway.origin}/vnc.html?${new URLSearchParams(query)}`;

/** The page's status line and whether it is connected. */
const pageState = (page) =>
  page.evaluate(() => ({
    status: document.getElementById('status')?.textContent ?? '',
    error: document.getElementById('status')?.dataset.level === 'error',
    connected: document.documentElement.classList.contains('vncgate-connected'),
  }));

const waitConnected = (page) =>
  pollUntil('the viewer to connect', () => pageState(page), {
    accept: (s) => s.connected || s.error,
  }).then((s) => assert.ok(s.connected, `not connected: ${s.status}`));

/** Framebuffer pixels at `points` as 'rrggbb', and its size, read through the RFB API. */
const framebuffer = (page, points) =>
  page.evaluate(async (pts) => {
    const image = await window.vncgateRfb.captureFramebuffer();
    const hex = (v) => v.toString(16).padStart(2, '0');
    return {
      width: image.width,
      height: image.height,
      worker: window.vncgateRfb.usesWorker,
      pixels: pts.map(([x, y]) => {
        const i = (y * image.width + x) * 4;
        return hex(image.data[i]) + hex(image.data[i + 1]) + hex(image.data[i + 2]);
      }),
    };
  }, points);

async function waitForDesktop(page) {
  const fb = await pollUntil(
    'the root colour in the framebuffer',
    () => framebuffer(page, ROOT_POINTS),
    {
      accept: (f) => f.pixels.every((p) => p === ROOT_COLOUR),
    },
  );
  assert.deepEqual({ width: fb.width, height: fb.height }, GEOMETRY);
  return fb;
}

/** Pointer, click and keyboard checked on the X server, through the canvas. */
async function checkInput({ desktop, page, workDir }) {
  const box = await page.locator('#screen canvas').boundingBox();
  assert.deepEqual({ w: box.width, h: box.height }, { w: GEOMETRY.width, h: GEOMETRY.height });
  for (const [x, y] of [
    [700, 600],
    [650, 500],
  ]) {
    await page.mouse.move(box.x + x + 0.5, box.y + y + 0.5);
    await pollUntil(`the X pointer at ${x},${y}`, () => desktop.mouseLocation(), {
      accept: (p) => p.x === x && p.y === y,
    });
  }
  const xterm = await desktop.xtermWindow();
  await page.mouse.click(box.x + xterm.x + 40, box.y + xterm.y + 30);
  await pollUntil('the X pointer on the xterm', () => desktop.mouseLocation(), {
    accept: (p) => p.x === xterm.x + 40 && p.y === xterm.y + 30,
  });
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

describe(`vncgate web client through ${GATEWAY}`, { timeout: TEST_TIMEOUT * 6 }, () => {
  before(async () => {
    checkGatewayInstalled();
    assert.ok(
      existsSync(join(WEB_DIST, 'vnc.html')),
      'build web/dist first: cd web && node build.mjs',
    );
    // Others rebuild web/dist and the gateway while the suite runs; serve copies taken now.
    build = await snapshotBuild(buildCleanup, {
      webDist: WEB_DIST,
      files: ['vnc.html', 'vncgate-page.js', 'vncgate.js', 'vncgate-worker.js'],
    });
  });
  after(() => buildCleanup.run());

  it(
    'Xvnc, None: the worker draws the desktop; pointer, click and keys reach X',
    { timeout: TEST_TIMEOUT },
    () =>
      withStack('xvnc-none-worker', { server: 'xvnc', security: 'none' }, async (stack) => {
        await stack.page.goto(viewerUrl(stack.gateway, { autoconnect: 1 }));
        await waitConnected(stack.page);
        const fb = await waitForDesktop(stack.page);
        assert.equal(fb.worker, true, 'the protocol should run in a worker');
        await checkInput(stack);
      }),
  );

  it('Xvnc, None, main-thread fallback (worker=0)', { timeout: TEST_TIMEOUT }, () =>
    withStack('xvnc-none-main', { server: 'xvnc', security: 'none' }, async (stack) => {
      await stack.page.goto(viewerUrl(stack.gateway, { autoconnect: 1, worker: 0 }));
      await waitConnected(stack.page);
      const fb = await waitForDesktop(stack.page);
      assert.equal(fb.worker, false);
      await checkInput(stack);
    }),
  );

  it('Xvnc, VncAuth: the password typed into the prompt', { timeout: TEST_TIMEOUT }, () =>
    withStack(
      'xvnc-vncauth-prompt',
      { server: 'xvnc', security: 'vncauth' },
      async ({ page, gateway }) => {
        await page.goto(viewerUrl(gateway, { autoconnect: 1 }));
        await page.locator('#password').waitFor({ state: 'visible' });
        assert.equal((await pageState(page)).status, 'Credentials are required');
        await page.locator('#password').fill(PASSWORD);
        await page.locator('#send-credentials').click();
        await waitConnected(page);
        await waitForDesktop(page);
      },
    ),
  );

  it('x11vnc, VncAuth: the password in the URL', { timeout: TEST_TIMEOUT }, () =>
    withStack('x11vnc-vncauth-url', { server: 'x11vnc', security: 'vncauth' }, async (stack) => {
      await stack.page.goto(viewerUrl(stack.gateway, { autoconnect: 1, password: PASSWORD }));
      await waitConnected(stack.page);
      await waitForDesktop(stack.page);
      await checkInput(stack);
    }),
  );

  for (const server of ['xvnc', 'x11vnc']) {
    it(
      `${server}, VncAuth: a wrong password is refused with a clear message`,
      { timeout: TEST_TIMEOUT },
      () =>
        withStack(
          `${server}-vncauth-wrong`,
          { server, security: 'vncauth' },
          async ({ page, gateway }) => {
            await page.goto(viewerUrl(gateway, { autoconnect: 1, password: 'wrongpw' }));
            const s = await pollUntil('the refusal', () => pageState(page), {
              accept: (st) => st.error || st.connected,
            });
            assert.equal(s.connected, false);
            assert.match(
              s.status,
              /^Security failure|^Disconnected: authentication failed|^Authentication failed/,
            );
            await page.locator('#connect').waitFor({ state: 'visible' });
          },
        ),
    );
  }

  it(
    'Xvnc: resize=remote asks the server for the page size (SetDesktopSize)',
    { timeout: TEST_TIMEOUT },
    () =>
      withStack(
        'xvnc-resize-remote',
        { server: 'xvnc', security: 'none' },
        async ({ page, gateway }) => {
          await page.goto(viewerUrl(gateway, { autoconnect: 1, resize: 'remote' }));
          await waitConnected(page);
          const want = await page.evaluate(() => {
            const s = document.getElementById('screen');
            return { width: s.clientWidth, height: s.clientHeight };
          });
          await pollUntil(
            'the framebuffer to take the page size',
            () => framebuffer(page, [[0, 0]]),
            {
              accept: (f) => f.width === want.width && f.height === want.height,
            },
          );
        },
      ),
  );
});
