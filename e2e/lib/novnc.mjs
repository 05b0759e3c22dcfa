// Driving and reading Debian's noVNC 1.3.0 page (vnc.html) in the browser: its URL, its
// connection state (classes on <html>, the status bar) and the pixels of its canvas.
import { bound, pollUntil } from './poll.mjs';

/** Debian's noVNC, served by the gateway with --web. */
export const NOVNC_WEB = process.env.E2E_NOVNC_WEB || '/usr/share/novnc';

/**
 * vnc.html that connects at once to the gateway it was loaded from (noVNC takes the host from
 * the page; the port is given as a websockify user would). `password` goes into the URL.
 */
export function noVncUrl(origin, { password } = {}) {
  const url = new URL('/vnc.html', origin);
  url.searchParams.set('autoconnect', '1');
  url.searchParams.set('port', url.port);
  if (password !== undefined) url.searchParams.set('password', password);
  return url.href;
}

/**
 * The page's state: { connected, connecting, status, statusError, connectDialog }. `connected`
 * is noVNC's own html.noVNC_connected (the status text is not reliable: a warning is never
 * replaced by "Connected"); `statusError` is true while the status bar shows an error, which
 * noVNC keeps on screen; `connectDialog` is true while the "Connect" panel is open, which noVNC
 * does after every disconnect.
 */
export function noVncState(page) {
  return page.evaluate(() => {
    const html = document.documentElement.classList;
    const status = document.getElementById('noVNC_status');
    return {
      connected: html.contains('noVNC_connected'),
      connecting: html.contains('noVNC_connecting'),
      status: status?.textContent ?? '',
      statusError: !!status?.classList.contains('noVNC_status_error'),
      connectDialog: !!document
        .getElementById('noVNC_connect_dlg')
        ?.classList.contains('noVNC_open'),
    };
  });
}

/**
 * Waits until noVNC is connected. Fails early, with noVNC's message, if the page shows an error
 * instead (a refused password, a gateway that closed the WebSocket).
 */
export async function waitConnected(page, { timeout = bound(20000) } = {}) {
  const state = await pollUntil('noVNC to connect (html.noVNC_connected)', () => noVncState(page), {
    accept: (s) => s.connected || s.statusError,
    timeout,
  });
  if (!state.connected) throw new Error(`noVNC did not connect: ${JSON.stringify(state)}`);
  return state;
}

/**
 * Waits until noVNC shows that it is not connected: neither connected nor connecting, and its
 * Connect button visible to the user (noVNC opens the Connect panel after every disconnect).
 * Resolves with the page state.
 */
export async function waitDisconnectedUi(page, what) {
  const state = await pollUntil(what, () => noVncState(page), {
    accept: (s) => !s.connected && !s.connecting && s.connectDialog,
  });
  await page.locator('#noVNC_connect_button').waitFor({ state: 'visible' });
  return state;
}

/**
 * Starts recording every text the status bar shows, in page order, into window.__e2eStatuses
 * (read it with `statusHistory`): noVNC hides normal statuses after 1.5 s, so polling alone
 * could miss them.
 */
export function recordStatuses(page) {
  return page.evaluate(() => {
    const status = document.getElementById('noVNC_status');
    window.__e2eStatuses = [];
    const note = () => {
      const text = status.textContent;
      if (text && window.__e2eStatuses.at(-1) !== text) window.__e2eStatuses.push(text);
    };
    new MutationObserver(note).observe(status, {
      childList: true,
      characterData: true,
      subtree: true,
      attributes: true,
    });
  });
}

/** The statuses seen since `recordStatuses`. */
export function statusHistory(page) {
  return page.evaluate(() => window.__e2eStatuses ?? []);
}

/** The first canvas on the page: noVNC's screen. */
export function screenCanvas(page) {
  return page.locator('#noVNC_container canvas').first();
}

/** Canvas pixels at framebuffer coordinates `points` ([[x, y], ...]) as 'rrggbb' strings. */
export function canvasPixels(page, points) {
  return screenCanvas(page).evaluate((canvas, pts) => {
    const ctx = canvas.getContext('2d');
    return pts.map(([x, y]) =>
      [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)]
        .map((v) => v.toString(16).padStart(2, '0'))
        .join(''),
    );
  }, points);
}

/** The canvas size in framebuffer pixels, { width, height }. */
export function canvasSize(page) {
  return screenCanvas(page).evaluate((c) => ({ width: c.width, height: c.height }));
}

/**
 * Waits until every one of `points` on the canvas shows `colour` ('#rrggbb'): the framebuffer
 * update after connecting may take a moment to arrive and be drawn.
 */
export function waitForCanvasColour(page, points, colour) {
  const want = colour.replace('#', '').toLowerCase();
  return pollUntil(
    `canvas pixels ${JSON.stringify(points)} to be ${colour}`,
    () => canvasPixels(page, points),
    { accept: (got) => got.every((p) => p === want) },
  );
}

/**
 * Waits (bounded, best effort) until two reads of the canvas 100 ms apart are equal, so that a
 * screenshot shows the last framebuffer update. Only for the picture; nothing is asserted.
 */
export async function waitCanvasSettled(page) {
  const digest = () =>
    page.evaluate(() => {
      const c = document.querySelector('#noVNC_container canvas');
      if (!c || !c.width) return '';
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let h = 0;
      for (let i = 0; i < d.length; i += 4)
        h = (h * 31 + d[i] + (d[i + 1] << 8) + (d[i + 2] << 16)) | 0;
      return String(h);
    });
  let last = await digest().catch(() => '');
  await pollUntil(
    'the canvas to settle',
    async () => {
      const now = await digest();
      const same = now === last;
      last = now;
      return same;
    },
    { interval: 100, timeout: bound(3000) },
  ).catch(() => {});
}
