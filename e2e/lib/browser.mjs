// Headless Debian chromium driven by playwright-core (which never downloads a browser of its own).
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { bound } from './poll.mjs';
import { atExit } from './process.mjs';

export const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';

/**
 * Larger than the 1024x768 framebuffer, so that noVNC (resize=off) shows it unscaled and one
 * CSS pixel is one framebuffer pixel.
 */
export const VIEWPORT = { width: 1280, height: 1024 };

const ARGS = [
  '--headless',
  '--no-sandbox', // chromium refuses to run as root with its sandbox
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Debian's wrapper script means to add this for a small /dev/shm but fails to on some
  // machines; containers often have only 64 MB there.
  '--disable-dev-shm-usage',
];

/**
 * Launches chromium with a fresh profile directory (playwright-core refuses --user-data-dir in
 * args; launchPersistentContext takes it instead). The page's console errors and uncaught
 * exceptions are appended to `consoleLog`. Resolves with { context, page, close }; `close()`
 * closes the browser, removes the profile and never throws.
 */
export async function launchBrowser({ consoleLog }) {
  const profile = mkdtempSync(join(tmpdir(), 'vncgate-e2e-chromium-'));
  const removeProfile = () => rmSync(profile, { recursive: true, force: true });
  const forget = atExit(removeProfile); // even if the run is interrupted
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: VIEWPORT,
      args: ARGS,
      timeout: bound(60000),
    });
  } catch (error) {
    forget();
    removeProfile();
    throw error;
  }
  context.setDefaultTimeout(bound(20000));
  const page = context.pages()[0] ?? (await context.newPage());
  const note = (line) => consoleLog && appendFileSync(consoleLog, `${line}\n`);
  page.on('console', (m) => note(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => note(`page error: ${e.message}`));
  page.on('requestfailed', (r) => note(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  const close = async () => {
    try {
      await context.close();
    } catch (error) {
      console.error(`closing chromium: ${error.message}`);
    }
    forget();
    removeProfile();
  };
  return { context, page, close };
}
