// Drag viewport end to end: a 1600x1200 Xvnc desktop in a 1000x700 window with view_clip=1 shows no
// scrollbars; the control bar's "Drag viewport" toggle (pressed from the keyboard) lets a mouse drag
// and a one-finger touch drag pan the view, and a click at the far corner reaches the X server at
// the right framebuffer position (xdotool getmouselocation, and an xev window for the button).
// Screenshots of each step are left in e2e/artifacts/<gateway>/ui-viewport-drag/. Build web/dist first.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { checkGatewayInstalled, gatewayConfig } from './lib/gateway.mjs';
import { startXev, WEB_DIST } from './lib/input-stack.mjs';
import { bound, pollUntil } from './lib/poll.mjs';
import { withStack } from './lib/stack.mjs';

const ROOT_COLOUR = '2e8b57';
const DESKTOP = { width: 1600, height: 1200 };
// The xev window near the desktop's bottom-right corner, out of reach without panning.
const XEV = { x: 1380, y: 1030, width: 180, height: 130 };

/** The view's state: scroll (pan) offsets and sizes of #screen, the button's state. */
const viewState = (page) =>
  page.evaluate(() => {
    const s = document.getElementById('screen');
    const b = document.getElementById('view-drag-button');
    return {
      connected: document.documentElement.classList.contains('vncgate-connected'),
      panX: s.scrollLeft,
      panY: s.scrollTop,
      maxX: s.scrollWidth - s.clientWidth,
      maxY: s.scrollHeight - s.clientHeight,
      viewWidth: s.clientWidth,
      viewHeight: s.clientHeight,
      overflow: getComputedStyle(s).overflow,
      button: { hidden: b.hidden, pressed: b.getAttribute('aria-pressed') },
      fb: window.vncgateRfb?.framebufferSize,
    };
  });

const rootPixel = (page) =>
  page.evaluate(async () => {
    const image = await window.vncgateRfb.captureFramebuffer();
    const hex = (v) => (v ?? 0).toString(16).padStart(2, '0');
    return hex(image.data[8]) + hex(image.data[9]) + hex(image.data[10]);
  });

describe(`viewer page: drag viewport through ${gatewayConfig.kind}`, () => {
  before(() => checkGatewayInstalled());

  it(
    'xvnc: view_clip with a larger desktop pans by mouse and touch drags; clicks land right',
    { timeout: bound(90000) },
    () =>
      withStack(
        'ui-viewport-drag',
        {
          web: WEB_DIST,
          server: 'xvnc',
          security: 'none',
          geometry: `${DESKTOP.width}x${DESKTOP.height}`,
        },
        async ({ page, gateway, desktop, artifacts }) => {
          let n = 0;
          const shot = (name) =>
            page.screenshot({
              path: join(artifacts, `${String(++n).padStart(2, '0')}-${name}.png`),
            });
          await page.setViewportSize({ width: 1000, height: 700 });
          await page.goto(`${gateway.origin}/vnc.html?autoconnect=1&view_clip=1&resize=off`);
          await pollUntil('the desktop on the page', () => rootPixel(page), {
            accept: (p) => p === ROOT_COLOUR,
          });
          const start = await pollUntil('the drag button to show', () => viewState(page), {
            accept: (s) => s.connected && !s.button.hidden,
          });
          assert.deepEqual(start.fb, DESKTOP);
          assert.equal(start.overflow, 'hidden', 'view_clip: no scrollbars');
          assert.deepEqual([start.panX, start.panY], [0, 0]);
          assert.ok(start.maxX > 0 && start.maxY > 0, JSON.stringify(start));
          const button = page.getByRole('button', { name: 'Drag viewport' });
          assert.equal(await button.getAttribute('aria-pressed'), 'false');
          await shot('clipped');

          const xev = await startXev(
            desktop,
            `${XEV.width}x${XEV.height}+${XEV.x}+${XEV.y}`,
            artifacts,
          );
          try {
            // Keyboard: focus the toggle and press Space.
            await button.focus();
            await page.keyboard.press('Space');
            assert.equal(await button.getAttribute('aria-pressed'), 'true');

            const box = await page.locator('#screen').boundingBox();
            const client = (x, y) => [box.x + x + 0.5, box.y + y + 0.5];
            // The X pointer where the drag starts (nothing is panned yet: view = framebuffer).
            const from = [start.viewWidth - 30, start.viewHeight - 30];
            await page.mouse.move(...client(...from));
            await pollUntil('the X pointer at the drag start', () => desktop.mouseLocation(), {
              accept: (p) => p.x === from[0] && p.y === from[1],
            });
            // Two drags towards the top left reach the far corner (clamped there).
            for (let i = 0; i < 2; i++) {
              await page.mouse.move(...client(...from));
              await page.mouse.down();
              await page.mouse.move(...client(30, 30), { steps: 15 });
              await page.mouse.up();
            }
            const panned = await pollUntil(
              'the view to pan to the far corner',
              () => viewState(page),
              {
                accept: (v) => v.panX === start.maxX && v.panY === start.maxY,
              },
            ).catch(() => viewState(page));
            assert.deepEqual(
              [panned.panX, panned.panY],
              [start.maxX, start.maxY],
              'panned to the far corner',
            );
            assert.deepEqual([panned.maxX, panned.maxY], [start.maxX, start.maxY]);
            assert.equal(panned.button.pressed, 'true');
            await shot('panned-far-corner');

            // In drag mode a press released without moving is a left click, at the panned position.
            const target = [XEV.x + 40, XEV.y + 50];
            const local = [target[0] - panned.panX, target[1] - panned.panY];
            await page.mouse.click(...client(...local));
            const press = await pollUntil(
              'the click in the xev window',
              () => xev.events().filter((e) => e.type === 'ButtonPress'),
              { accept: (p) => p.length >= 1 },
            );
            // The drags sent no button presses: the click is the first and only one.
            assert.deepEqual(press, [
              { type: 'ButtonPress', button: 1, x: target[0], y: target[1] },
            ]);
            // Its release too, which the check after the touch pan counts on.
            await pollUntil(
              'the release of the click in the xev window',
              () => xev.events().filter((e) => e.type === 'ButtonRelease'),
              { accept: (r) => r.length >= 1 },
            );

            // Drag viewport off (keyboard again): the mouse reaches the server; the far corner pixel.
            await button.focus();
            await page.keyboard.press('Enter');
            assert.equal(await button.getAttribute('aria-pressed'), 'false');
            const corner = [start.viewWidth - 1, start.viewHeight - 1];
            await page.mouse.click(...client(...corner));
            await pollUntil(
              'the X pointer at the framebuffer corner',
              () => desktop.mouseLocation(),
              { accept: (p) => p.x === DESKTOP.width - 1 && p.y === DESKTOP.height - 1 },
            );
            await shot('clicked-far-corner');

            // A one-finger touch drag pans back by the same distance (with drag viewport on).
            await button.click();
            const cdp = await page.context().newCDPSession(page);
            await cdp.send('Emulation.setTouchEmulationEnabled', {
              enabled: true,
              maxTouchPoints: 5,
            });
            const touchAt = (x, y) => {
              const [cx, cy] = client(x, y);
              return { x: cx, y: cy, id: 0 };
            };
            await cdp.send('Input.dispatchTouchEvent', {
              type: 'touchStart',
              touchPoints: [touchAt(100, 100)],
            });
            for (let i = 1; i <= 10; i++) {
              await cdp.send('Input.dispatchTouchEvent', {
                type: 'touchMove',
                touchPoints: [touchAt(100 + 20 * i, 100 + 15 * i)],
              });
            }
            await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
            const back = await pollUntil('the touch drag to pan back', () => viewState(page), {
              accept: (v) => v.panX < start.maxX,
            });
            assert.deepEqual([back.panX, back.panY], [start.maxX - 200, start.maxY - 150]);
            const releases = xev.events().filter((e) => e.type === 'ButtonRelease');
            assert.equal(releases.length, 1, 'the touch pan sent no button');
            await shot('touch-panned');
          } finally {
            await xev.stop();
          }
        },
      ),
  );
});
