// Touch gestures end to end on Xvnc (touch emulated through CDP, as in ui-page.test.mjs): long press
// = right button held, two-finger tap = right click (at the fingers' centre), three-finger tap =
// middle click, pinch = Ctrl + wheel (buttons 4/5 with ControlMask), each checked in an xev window.
// Taps, drags and two-finger scrolling are in input-pointer.test.mjs. Build web/dist first.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { checkGatewayInstalled, gatewayConfig } from './lib/gateway.mjs';
import { startXev, TEST_TIMEOUT, touchDriver, withInputStack } from './lib/input-stack.mjs';
import { pollUntil } from './lib/poll.mjs';

// The xev window, right of and below the xterm.
const XEV = { x: 620, y: 450, width: 360, height: 260 };
const CONTROL_MASK = 0x4;

/** The ButtonPress and ButtonRelease events xev reported so far, with the modifier state. */
const buttonEvents = (xev) =>
  xev.withState().filter((e) => e.type === 'ButtonPress' || e.type === 'ButtonRelease');

describe(`input: touch gestures through ${gatewayConfig.kind}`, () => {
  before(() => checkGatewayInstalled());

  it(
    'xvnc: long press, two- and three-finger taps and pinch reach X as buttons 3, 3, 2 and Ctrl+4/5',
    { timeout: TEST_TIMEOUT },
    () =>
      withInputStack('touch-gestures-xvnc', 'xvnc', async (t) => {
        const { desktop, shot, artifacts } = t;
        const touch = await touchDriver(t);
        const xev = await startXev(
          desktop,
          `${XEV.width}x${XEV.height}+${XEV.x}+${XEV.y}`,
          artifacts,
        );
        /** Waits until xev reported `count` button events after the first `since` ones. */
        const buttons = (since, count, what) =>
          pollUntil(what, () => buttonEvents(xev).slice(since), {
            accept: (e) => e.length >= count,
          });
        const strip = (events) => events.map(({ type, button, x, y }) => ({ type, button, x, y }));
        try {
          // Long press: the right button goes down while the finger stays (after 1 s), up when it lifts.
          const lp = [XEV.x + 40, XEV.y + 40];
          await touch('touchStart', [lp]);
          const [down] = await buttons(0, 1, 'the long press');
          assert.deepEqual(strip([down]), [{ type: 'ButtonPress', button: 3, x: lp[0], y: lp[1] }]);
          await touch('touchEnd', []);
          const [, up] = await buttons(0, 2, 'the long press release');
          assert.deepEqual(strip([up]), [{ type: 'ButtonRelease', button: 3, x: lp[0], y: lp[1] }]);
          await shot('long-press');

          // Two-finger tap: a right click at the fingers' centre.
          await touch('touchStart', [
            [XEV.x + 100, XEV.y + 60],
            [XEV.x + 140, XEV.y + 100],
          ]);
          await touch('touchEnd', []);
          const two = await buttons(2, 2, 'the two-finger tap');
          assert.deepEqual(strip(two), [
            { type: 'ButtonPress', button: 3, x: XEV.x + 120, y: XEV.y + 80 },
            { type: 'ButtonRelease', button: 3, x: XEV.x + 120, y: XEV.y + 80 },
          ]);

          // Three-finger tap: a middle click. touch.ts measures multi-finger gestures from when the
          // second finger lands, so the click is at the centre of the first two fingers.
          await touch('touchStart', [
            [XEV.x + 150, XEV.y + 120],
            [XEV.x + 180, XEV.y + 120],
            [XEV.x + 210, XEV.y + 150],
          ]);
          await touch('touchEnd', []);
          const three = await buttons(4, 2, 'the three-finger tap');
          assert.deepEqual(strip(three), [
            { type: 'ButtonPress', button: 2, x: XEV.x + 165, y: XEV.y + 120 },
            { type: 'ButtonRelease', button: 2, x: XEV.x + 165, y: XEV.y + 120 },
          ]);
          await shot('taps');

          // Pinch out by 120 px: two Ctrl+wheel-up clicks (one per 50 px); then in by 120 px again:
          // two Ctrl+wheel-down clicks. Centre fixed at (XEV.x+180, XEV.y+130).
          const [cx, cy] = [XEV.x + 180, XEV.y + 130];
          const pinch = async (from, to) => {
            const spread = (d) => [
              [cx - d, cy],
              [cx + d, cy],
            ];
            await touch('touchStart', spread(from));
            const step = from < to ? 5 : -5;
            for (let d = from + step; step > 0 ? d <= to : d >= to; d += step) {
              await touch('touchMove', spread(d));
            }
            await touch('touchEnd', []);
          };
          await pinch(30, 90);
          const out = await buttons(6, 4, 'the pinch out');
          await pinch(90, 30);
          const inward = await buttons(10, 4, 'the pinch in');
          for (const [events, button] of [
            [out, 4],
            [inward, 5],
          ]) {
            assert.deepEqual(
              strip(events),
              ['ButtonPress', 'ButtonRelease', 'ButtonPress', 'ButtonRelease'].map((type) => ({
                type,
                button,
                x: cx,
                y: cy,
              })),
            );
            for (const e of events) {
              assert.ok(e.state & CONTROL_MASK, `Ctrl held during ${JSON.stringify(e)}`);
            }
          }
          // Ctrl is released at the end of the pinch: a later tap carries no Control.
          await touch('touchStart', [[XEV.x + 20, XEV.y + 200]]);
          await touch('touchEnd', []);
          const [tap] = await buttons(14, 1, 'a tap after the pinch');
          assert.deepEqual(strip([tap]), [
            { type: 'ButtonPress', button: 1, x: XEV.x + 20, y: XEV.y + 200 },
          ]);
          assert.equal(tap.state & CONTROL_MASK, 0, 'Ctrl released after the pinch');
          await shot('pinched');
        } finally {
          await xev.stop();
        }
      }),
  );
});
