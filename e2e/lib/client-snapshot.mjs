// Private copies, taken once per test file, of the build outputs that other people rebuild while
// the suite runs: web/dist (node build.mjs empties it first) and the vncgate executable (the
// linker rewrites it). A test that started either of them in the middle of a rebuild failed at
// once, for reasons that had nothing to do with the code under test.
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gatewayConfig } from './gateway.mjs';
import { bound, pollUntil } from './poll.mjs';
import { atExit } from './process.mjs';

const execFileAsync = promisify(execFile);

/**
 * Copies `webDist` (which must contain every one of `files`) and, for vncgate, the gateway
 * executable into a fresh temporary folder, retrying for a while if a copy is incomplete (a
 * rebuild in progress). Registers the folder's removal with `cleanup` (a Cleanup). Resolves with
 * { web, config }: the folder to serve and the gateway config to pass to startGateway.
 */
export async function snapshotBuild(cleanup, { webDist, files, config = gatewayConfig }) {
  const dir = mkdtempSync(join(tmpdir(), 'vncgate-e2e-build-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const forget = atExit(remove);
  cleanup.defer(() => {
    forget();
    remove();
  });
  const web = join(dir, 'web');
  const bin = join(dir, 'vncgate');
  await pollUntil(
    `a complete build to copy (${files.join(', ')} in ${webDist}; ${config.vncgateBin})`,
    async () => {
      rmSync(web, { recursive: true, force: true });
      cpSync(webDist, web, { recursive: true });
      const missing = files.filter((f) => !existsSync(join(web, f)));
      if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}`);
      if (config.kind !== 'vncgate') return true;
      copyFileSync(config.vncgateBin, bin);
      // A half-written executable fails to run; a whole one answers --version.
      await execFileAsync(bin, ['--version'], { timeout: bound(10000) });
      return true;
    },
    { timeout: bound(60000), interval: 500 },
  );
  return { web, config: config.kind === 'vncgate' ? { ...config, vncgateBin: bin } : config };
}
