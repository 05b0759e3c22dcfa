// Clipboard end to end: the X clipboard (xclip) and the browser's (async Clipboard API) kept in step
// automatically both ways, and the panel API (clipboard events, clipboardPasteFrom), on Xvnc and x11vnc.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { checkGatewayInstalled, gatewayConfig } from './lib/gateway.mjs';
import { TEST_TIMEOUT, withInputStack } from './lib/input-stack.mjs';
import { bound, pollUntil } from './lib/poll.mjs';
import { spawnLogged } from './lib/process.mjs';

const execFileAsync = promisify(execFile);

/**
 * Puts `text` on the X clipboard with xclip, which keeps serving it from a background process
 * until another client takes the selection or the X server goes away.
 */
async function xclipIn(desktop, text, { target, encoding }) {
  const child = spawnLogged('xclip', ['-selection', 'clipboard', '-t', target, '-i'], {
    env: { ...process.env, DISPLAY: desktop.display },
    stdio: ['pipe', 'log', 'log'],
    logFile: join(desktop.logDir, 'xclip.log'),
  });
  child.stdin.end(Buffer.from(text, encoding));
  const { code } = await child.exited; // the foreground part exits once it owns the selection
  assert.equal(code, 0, 'xclip -i failed');
}

/** The X clipboard's text, or null while there is none. */
const xclipOut = (desktop, { target, encoding }) =>
  execFileAsync('xclip', ['-selection', 'clipboard', '-t', target, '-o'], {
    env: { ...process.env, DISPLAY: desktop.display },
    encoding: 'buffer',
    timeout: bound(10000),
  }).then(
    ({ stdout }) => stdout.toString(encoding),
    () => null,
  );

const browserClipboard = (page) => page.evaluate(() => navigator.clipboard.readText());

// Xvnc: the UTF-8 extended clipboard. x11vnc: Latin-1 ServerCutText, the selection read and served
// as STRING, and nothing sent for 15 s after a client connects (its sel_waittime; 45 s seen). Its
// libvncserver 0.9.14 takes the extended clipboard but drops UTF-8 text from clients
// (LibVNC/libvncserver#638); the client then sends Latin-1 text as ClientCutText too.
const SERVERS = {
  xvnc: { accents: 'ünï € ✓', target: 'UTF8_STRING', encoding: 'utf8', wait: 20000 },
  x11vnc: { accents: 'ünï ß', target: 'STRING', encoding: 'latin1', wait: 120000 },
};

describe(`input: clipboard through ${gatewayConfig.kind}`, { timeout: TEST_TIMEOUT * 2 }, () => {
  before(() => checkGatewayInstalled());

  for (const [server, { accents, wait, ...x }] of Object.entries(SERVERS)) {
    it(
      `${server}: X clipboard to the browser and back, and the panel API`,
      { timeout: TEST_TIMEOUT },
      () =>
        withInputStack(
          `clipboard-${server}`,
          server,
          async ({ desktop, page, canvasBox, shot }) => {
            // Server to browser: the clipboard event, and the browser's clipboard written.
            const fromX = `from X on ${server}: ${accents}`;
            await xclipIn(desktop, fromX, x);
            await pollUntil(
              'the clipboard event',
              () => page.evaluate(() => window.inputLog.clipboard),
              {
                accept: (texts) => texts.includes(fromX),
                timeout: bound(wait),
              },
            );
            await pollUntil("the browser's clipboard", () => browserClipboard(page), {
              accept: (text) => text === fromX,
            });
            await shot('server-to-browser');

            // Browser to server: copied locally, sent when the user comes back to the desktop.
            const fromBrowser = `from the browser to ${server}: ${accents}`;
            await page.evaluate((t) => navigator.clipboard.writeText(t), fromBrowser);
            await page.mouse.click(canvasBox.x + 900.5, canvasBox.y + 20.5);
            await pollUntil(
              'the X clipboard to take the browser text',
              () => xclipOut(desktop, x),
              {
                accept: (text) => text === fromBrowser,
              },
            );
            await shot('browser-to-server');

            // The panel's way: clipboardPasteFrom.
            const fromPanel = `typed in the panel for ${server}`;
            await page.evaluate((t) => window.rfb.clipboardPasteFrom(t), fromPanel);
            await pollUntil('the X clipboard to take the panel text', () => xclipOut(desktop, x), {
              accept: (text) => text === fromPanel,
            });
            const access = await page.evaluate(() => window.rfb.clipboardAccess);
            assert.deepEqual(access, { read: true, write: true });
            await shot('panel');
          },
          { permissions: ['clipboard-read', 'clipboard-write'] },
        ),
    );
  }
});
