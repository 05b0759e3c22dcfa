// End to end for vncgate's web client decoders: with one encoding forced at a time (Raw, CopyRect,
// RRE, Hextile, Zlib, ZRLE, Tight, TightPNG), the client's framebuffer must equal, pixel for pixel,
// what `xwd -root` reads from the X server, on TigerVNC Xvnc and on Xvfb + x11vnc, through the
// gateway. The library (web/dist/vncgate.js and its worker; build it first: cd web && node
// build.mjs) runs in a small page of this test's own, so that the viewer page's UI is not involved.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { artifactDir } from './lib/artifacts.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { Cleanup } from './lib/cleanup.mjs';
import { IMAGE_WINDOW, decorateDesktop, imageWindowId } from './lib/client-desktop.mjs';
import { compareRgba, writeComparisonImages } from './lib/client-images.mjs';
import { snapshotBuild } from './lib/client-snapshot.mjs';
import { parseXwd } from './lib/client-xwd.mjs';
import { startDesktop } from './lib/desktop.mjs';
import { checkGatewayInstalled, gatewayConfig, startGateway } from './lib/gateway.mjs';
import { bound, pollUntil } from './lib/poll.mjs';
import { atExit } from './lib/process.mjs';

const execFileAsync = promisify(execFile);
const GATEWAY = gatewayConfig.kind;
const WEB_DIST =
  process.env.E2E_CLIENT_DIST ||
  resolve(dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');
const GEOMETRY = '1024x768';
const TEST_TIMEOUT = bound(60000);

/** RFB encoding numbers by name (RfbOptions.encodings takes the numbers). */
const ENCODINGS = {
  raw: 0,
  copyrect: 1,
  rre: 2,
  hextile: 5,
  zlib: 6,
  tight: 7,
  zrle: 16,
  tightpng: -260,
};
const NAMES = Object.fromEntries(Object.entries(ENCODINGS).map(([k, v]) => [v, k]));

/**
 * Why a server may answer a forced encoding with Raw only. The case still compares the pixels,
 * then reports itself skipped with this reason if the server indeed sent none of that encoding.
 */
const UNSUPPORTED = {
  xvnc: {
    zlib: 'TigerVNC 1.12 has no Zlib encoder',
    tightpng: 'TigerVNC 1.12 has no TightPNG encoder',
  },
  x11vnc: { tightpng: "Debian's libvncserver is built without libpng, so x11vnc has no TightPNG" },
};

/** JPEG bounds: a channel off by more than JPEG_FAR is "far"; at most this share of far pixels. */
const JPEG_FAR = 64;
const JPEG_MAX_FAR_SHARE = 0.01;
/** The largest mean channel difference accepted for JPEG. */
const JPEG_MAX_MEAN = 6;

/** Where the test puts the pointer (through the client) before it compares: on the root. */
const POINTER_REST = [1000, 740];

/**
 * The test's own page: it loads the library and offers window.connectRfb(options), which
 * replaces any previous connection by a new one and resolves once connected.
 */
const PAGE = `<!doctype html>
<!-- vncgate e2e: one RFB connection at a time, with the options the test gives. -->
<html><head><meta charset="utf-8"><title>encodings</title><link rel="icon" href="data:,"></head>
<body style="margin:0;background:#000"><div id="screen"></div>
<script type="module">
import { RFB } from './vncgate.js';
window.connectRfb = async (options) => {
  const old = window.rfb;
  if (old) {
    if (!old.closed) {
      await new Promise((done) => {
        old.addEventListener('disconnect', done);
        old.disconnect();
      });
    }
    old.canvas.remove();
  }
  const rfb = new RFB(document.getElementById('screen'), 'websockify', options);
  window.rfb = rfb;
  rfb.addEventListener('disconnect', () => (rfb.closed = true));
  await new Promise((connected, failed) => {
    rfb.addEventListener('connect', connected);
    rfb.addEventListener('disconnect', (e) => failed(new Error('disconnected: ' + e.detail.reason)));
  });
};
window.rfbSnapshot = async () => {
  const image = await window.rfb.captureFramebuffer();
  const counts = await window.rfb.rectangleCounts();
  let s = '';
  for (let i = 0; i < image.data.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, image.data.subarray(i, i + 0x8000));
  }
  return { width: image.width, height: image.height, rgba: btoa(s), counts: [...counts] };
};
document.title = 'ready';
</script></body></html>
`;

/**
 * A private copy of the build (web/dist and the gateway), with the test page next to the
 * library. Resolves with { web, config } for startGateway.
 */
async function prepareBuild(cleanup) {
  const build = await snapshotBuild(cleanup, {
    webDist: WEB_DIST,
    files: ['vncgate.js', 'vncgate-worker.js'],
  });
  writeFileSync(join(build.web, 'encodings.html'), PAGE);
  return build;
}

/** The X server's own framebuffer, read with xwd: { width, height, rgba }. */
async function serverFramebuffer(desktop) {
  const { stdout } = await execFileAsync('xwd', ['-root', '-silent', '-display', desktop.display], {
    encoding: 'buffer',
    maxBuffer: 64 << 20,
    timeout: bound(20000),
  });
  return parseXwd(stdout);
}

/** The client's framebuffer and its rectangle counts by encoding name. */
async function clientFramebuffer(page) {
  const snap = await page.evaluate(() => window.rfbSnapshot());
  const counts = Object.fromEntries(snap.counts.map(([e, n]) => [NAMES[e] ?? String(e), n]));
  return {
    width: snap.width,
    height: snap.height,
    rgba: Buffer.from(snap.rgba, 'base64'),
    counts,
  };
}

/** One desktop, gateway and browser per server, shared by that server's encoding cases. */
class EncodingStack {
  constructor(server) {
    this.server = server;
    this.cleanup = new Cleanup();
    this.artifacts = artifactDir(GATEWAY, `client-encodings-${server}`);
  }

  async start() {
    const workDir = mkdtempSync(join(tmpdir(), 'vncgate-enc-'));
    const forget = atExit(() => rmSync(workDir, { recursive: true, force: true }));
    this.cleanup.defer(() => {
      forget();
      rmSync(workDir, { recursive: true, force: true });
    });
    const build = await prepareBuild(this.cleanup);
    this.desktop = await startDesktop({
      server: this.server,
      geometry: GEOMETRY,
      logDir: this.artifacts,
      workDir,
    });
    this.cleanup.defer(() => this.desktop.stop());
    const stopContent = await decorateDesktop(this.desktop, { logDir: this.artifacts, workDir });
    this.cleanup.defer(stopContent);
    this.gateway = await startGateway({
      web: build.web,
      config: build.config,
      vncPort: this.desktop.port,
      logDir: this.artifacts,
    });
    this.cleanup.defer(() => this.gateway.stop());
    const browser = await launchBrowser({
      consoleLog: join(this.artifacts, 'browser-console.log'),
    });
    this.cleanup.defer(() => browser.close());
    this.page = browser.page;
    await this.page.goto(`${this.gateway.origin}/encodings.html`);
    await pollUntil('the test page to load the library', () => this.page.title(), {
      accept: (t) => t === 'ready',
    });
  }

  stop() {
    return this.cleanup.run();
  }

  /**
   * Connects a fresh client that announces only `encodings` (Raw is always implied), and moves
   * the pointer through it to POINTER_REST. Xvnc draws the cursor into the framebuffer it sends
   * for as long as the pointer is not where this client last put it (and xwd never shows the
   * cursor), so the client must have moved it once.
   */
  async connect(encodings, { jpeg = false, qualityLevel = 6 } = {}) {
    await this.page.evaluate((options) => window.connectRfb(options), {
      encodings,
      jpeg,
      qualityLevel,
    });
    // Two moves, each waited for: the browser may merge moves that come quickly, and a move to
    // where the pointer already is does not make Xvnc repaint the cursor it drew.
    const [x, y] = POINTER_REST;
    for (const [px, py] of [
      [x - 9, y - 9],
      [x, y],
    ]) {
      await this.pointer(px, py);
      await pollUntil(`the X pointer at ${px},${py}`, () => this.desktop.mouseLocation(), {
        accept: (p) => p.x === px && p.y === py,
      });
    }
  }

  /** Moves the browser's mouse to framebuffer position x, y on the canvas. */
  async pointer(x, y) {
    const box = await this.page.locator('#screen canvas').boundingBox();
    await this.page.mouse.move(box.x + x + 0.5, box.y + y + 0.5);
  }

  /**
   * Waits until the client's framebuffer equals the X server's (every pixel within `tolerance`,
   * or as `close(result)` of compareRgba says) and `accept(counts)` holds. Resolves with
   * { counts, result } of the last comparison. On timeout it writes the client, server and diff
   * images to the artifacts and throws with the first mismatching pixels.
   */
  async waitForMatch(
    label,
    {
      tolerance = 0,
      close = (r) => r.mismatched === 0,
      accept = () => true,
      timeout = bound(30000),
    } = {},
  ) {
    let last = null;
    try {
      return await pollUntil(
        `the client's framebuffer to match the X server's (${label})`,
        async () => {
          const client = await clientFramebuffer(this.page);
          const server = await serverFramebuffer(this.desktop);
          const result = compareRgba(client, server, { tolerance });
          last = { client, server, result };
          return { counts: client.counts, result };
        },
        {
          accept: (v) => close(v.result) && accept(v.counts),
          interval: 250,
          timeout,
        },
      );
    } catch (error) {
      if (!last) throw error;
      const { client, server, result } = last;
      const diff = writeComparisonImages(this.artifacts, label, client, server, { tolerance });
      error.message +=
        `\n    ${result.mismatched} of ${result.total} pixels differ (max channel delta ` +
        `${result.maxDelta}); first: ${JSON.stringify(result.first)}` +
        `\n    rectangles by encoding: ${JSON.stringify(client.counts)}\n    diff image: ${diff}`;
      throw error;
    }
  }

  screenshot(label) {
    return this.page.screenshot({ path: join(this.artifacts, `${label}.png`) }).catch(() => {});
  }
}

/** Rectangle counts of the real (non-pseudo) encodings. */
const rectEncodingCounts = (counts) =>
  Object.fromEntries(Object.entries(counts).filter(([name]) => name in ENCODINGS));

for (const server of ['xvnc', 'x11vnc']) {
  describe(`client encodings, ${server} through ${GATEWAY}`, { timeout: TEST_TIMEOUT * 8 }, () => {
    const stack = new EncodingStack(server);
    before(
      async () => {
        checkGatewayInstalled();
        assert.ok(
          existsSync(join(WEB_DIST, 'vncgate.js')),
          'build web/dist first: cd web && node build.mjs',
        );
        try {
          await stack.start();
        } catch (error) {
          error.message += `\n    logs: ${stack.artifacts}`;
          throw error;
        }
      },
      { timeout: TEST_TIMEOUT },
    );
    after(() => stack.stop());

    for (const name of Object.keys(ENCODINGS)) {
      const unsupported = UNSUPPORTED[server][name];
      it(
        `${name}: the canvas equals the X server's framebuffer`,
        { timeout: TEST_TIMEOUT },
        async (t) => {
          const forced = ENCODINGS[name];
          await stack.connect([forced]);
          const label = `${server}-${name}`;
          // CopyRect alone cannot draw a first picture: Raw does that; CopyRect shows when a
          // window moves (the next case). A server without the encoding sends Raw.
          const { counts } = await stack.waitForMatch(label, {
            accept: (c) => name === 'copyrect' || unsupported || (c[name] ?? 0) > 0,
          });
          await stack.screenshot(label);
          const used = rectEncodingCounts(counts);
          t.diagnostic(`rectangles: ${JSON.stringify(used)}`);
          assert.deepEqual(
            Object.keys(used).filter((n) => n !== name && n !== 'raw'),
            [],
            `only ${name} (and Raw) were asked for; got ${JSON.stringify(used)}`,
          );
          if (unsupported && !used[name]) {
            t.skip(`${unsupported}: it answered with Raw, which matched`);
          } else if (name !== 'copyrect') {
            assert.ok(used[name] > 0, `no ${name} rectangles: ${JSON.stringify(used)}`);
          }
        },
      );
    }

    it(
      'copyrect: moving a window sends CopyRect, and the canvas still matches',
      { timeout: TEST_TIMEOUT },
      async (t) => {
        await stack.connect([ENCODINGS.copyrect]);
        const label = `${server}-copyrect-move`;
        await stack.waitForMatch(`${label}-before`);
        const id = await imageWindowId(stack.desktop);
        const moves = [
          [IMAGE_WINDOW.x - 200, IMAGE_WINDOW.y + 40],
          [IMAGE_WINDOW.x - 120, IMAGE_WINDOW.y - 150],
          [IMAGE_WINDOW.x, IMAGE_WINDOW.y],
        ];
        let counts;
        for (const [x, y] of moves) {
          await stack.desktop.x('xdotool', 'windowmove', id, String(x), String(y));
          ({ counts } = await stack.waitForMatch(`${label}-${x}-${y}`));
        }
        // x11vnc sends no CopyRect for moves without a window manager, but it does for a
        // terminal that scrolls after keys from the client (found with the RECORD extension).
        // Its scroll detection is a timing heuristic that a loaded machine can defeat for a
        // few scrolls in a row (seen once in CI: 3 tries, Raw only): it gets up to 8 tries.
        const xterm = await stack.desktop.xtermWindow();
        await stack.pointer(xterm.x + 40, xterm.y + 40);
        await stack.page.mouse.down(); // focuses the canvas, so that it takes keys
        await stack.page.mouse.up();
        for (let i = 0; i < 8 && !(counts.copyrect > 0); i++) {
          await stack.page.keyboard.type('seq 1 40', { delay: 10 });
          await stack.page.keyboard.press('Enter');
          ({ counts } = await stack.waitForMatch(`${label}-scroll-${i}`));
        }
        await stack.screenshot(label);
        t.diagnostic(`rectangles: ${JSON.stringify(rectEncodingCounts(counts))}`);
        assert.ok((counts.copyrect ?? 0) > 0, `no CopyRect rectangles: ${JSON.stringify(counts)}`);
      },
    );

    it(
      'tight with JPEG: the canvas is close to the X server framebuffer',
      { timeout: TEST_TIMEOUT },
      async (t) => {
        await stack.connect([ENCODINGS.tight], { jpeg: true, qualityLevel: 6 });
        const label = `${server}-tight-jpeg`;
        // JPEG at quality 6 leaves a small mean error and few pixels far off, even on the noise
        // of the image window; a decoding error (colour order, block placement, subsampling)
        // puts whole areas far off. The servers differ: x11vnc sends the noise as JPEG too.
        const close = (r) =>
          r.meanDelta < JPEG_MAX_MEAN && r.mismatched / r.total < JPEG_MAX_FAR_SHARE;
        const { counts } = await stack.waitForMatch(label, {
          tolerance: JPEG_FAR,
          close,
          accept: (c) => (c.tight ?? 0) > 0,
        });
        await stack.screenshot(label);
        // The final picture, measured exactly and against the bounds.
        const clientImage = await clientFramebuffer(stack.page);
        const serverImage = await serverFramebuffer(stack.desktop);
        const exact = compareRgba(clientImage, serverImage);
        const far = compareRgba(clientImage, serverImage, { tolerance: JPEG_FAR });
        t.diagnostic(
          `rectangles: ${JSON.stringify(rectEncodingCounts(counts))}; ${exact.mismatched} ` +
            `pixels differ, ${far.mismatched} by more than ${JPEG_FAR}, max channel delta ` +
            `${exact.maxDelta}, mean ${exact.meanDelta.toFixed(3)}`,
        );
        assert.ok(close(far), `too far from the server's picture: ${JSON.stringify(far.first)}`);
        assert.ok(exact.mismatched > 0, 'not one pixel differs: the server sent no JPEG');
      },
    );
  });
}
