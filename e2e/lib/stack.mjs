// One whole e2e stack per scenario: a VNC desktop, the gateway in front of it, and chromium;
// stopped again however the scenario ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { artifactDir } from './artifacts.mjs';
import { launchBrowser } from './browser.mjs';
import { Cleanup } from './cleanup.mjs';
import { startDesktop, writePasswordFile } from './desktop.mjs';
import { gatewayConfig, startGateway } from './gateway.mjs';
import { atExit } from './process.mjs';

/**
 * Runs `body(stack)` against a stack started for it, where stack is
 * { desktop, gateway, page, workDir, artifacts }. Options: `web`, the folder the gateway serves;
 * `vncServer()`, a function that starts some other VNC server (a scripted one) and resolves with
 * { port, stop() }, which then stands for the desktop;
 * `password`, the VncAuth password when `security` is 'vncauth'; `settle(page)`, awaited before
 * the final screenshot; everything else goes to startDesktop (server, security, geometry,
 * colour). Logs go to e2e/artifacts/<gateway>/<scenario>/ with `final.png` on success and
 * `failure.png` on failure; the error then names that folder. Every process is stopped by PID
 * afterwards, and the scratch folder (`workDir`, the xterm's HOME) is removed.
 */
export async function withStack(
  scenario,
  { web, password, settle, vncServer, ...desktopOptions },
  body,
) {
  const artifacts = artifactDir(gatewayConfig.kind, scenario);
  const workDir = mkdtempSync(join(tmpdir(), 'vncgate-e2e-'));
  const cleanup = new Cleanup();
  const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
  const forget = atExit(removeWorkDir); // even if the run is interrupted
  cleanup.defer(() => {
    forget();
    removeWorkDir();
  });
  let page;
  try {
    const passwordFile =
      desktopOptions.security === 'vncauth'
        ? await writePasswordFile(workDir, password)
        : undefined;
    const desktop = vncServer
      ? await vncServer()
      : await startDesktop({ ...desktopOptions, passwordFile, logDir: artifacts, workDir });
    cleanup.defer(() => desktop.stop());
    const gateway = await startGateway({ web, vncPort: desktop.port, logDir: artifacts });
    cleanup.defer(() => gateway.stop());
    const browser = await launchBrowser({ consoleLog: join(artifacts, 'browser-console.log') });
    cleanup.defer(() => browser.close());
    page = browser.page;
    await body({ desktop, gateway, page, workDir, artifacts });
    if (settle) await settle(page);
    await page.screenshot({ path: join(artifacts, 'final.png') });
  } catch (error) {
    if (page) await page.screenshot({ path: join(artifacts, 'failure.png') }).catch(() => {});
    error.message += `\n    logs and screenshots: ${artifacts}`;
    throw error;
  } finally {
    await cleanup.run();
  }
}
