// scripts/demo-desktop.sh, the demo desktop behind the README's "run" command: start, status,
// stop, and what it promises (Xvnc on 127.0.0.1 only, 1280x800, security None, stop by PID).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { xclient } from './lib/desktop.mjs';
import { listeningAddresses, readBanner } from './lib/net.mjs';
import { bound, pollUntil } from './lib/poll.mjs';

const execFileAsync = promisify(execFile);
const SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'demo-desktop.sh');

/** Runs the script with `command`; resolves with { code, stdout, stderr } (never rejects). */
async function demo(command, stateDir) {
  try {
    const { stdout, stderr } = await execFileAsync(SCRIPT, [command], {
      env: { ...process.env, VNCGATE_DEMO_DIR: stateDir },
      timeout: bound(60000),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

/** True while process `pid` exists and is not a zombie. */
function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('scripts/demo-desktop.sh', () => {
  it(
    'starts Xvnc on 127.0.0.1 with an xterm, and stops it by PID',
    { timeout: bound(120000) },
    async () => {
      const stateDir = mkdtempSync(join(tmpdir(), 'vncgate-demo-test-'));
      try {
        const started = await demo('start', stateDir);
        assert.equal(started.code, 0, `start failed: ${started.stderr}`);
        const m = /^DISPLAY=(:\d+) RFB_PORT=(\d+) PIDS=(\d+(?:,\d+)*)\n$/.exec(started.stdout);
        assert.ok(m, `unexpected output ${JSON.stringify(started.stdout)}`);
        const [, display, port, pidList] = m;
        const pids = pidList.split(',').map(Number);
        assert.equal(readFileSync(join(stateDir, 'state'), 'utf8'), started.stdout, 'state file');

        assert.deepEqual(
          listeningAddresses(Number(port)),
          ['127.0.0.1'],
          'listens on loopback only',
        );
        assert.equal(await readBanner(Number(port)), 'RFB 003.008\n');
        assert.equal(
          (await xclient(display, 'xdotool', ['getdisplaygeometry'])).trim(),
          '1280 800',
        );
        const windows = await xclient(display, 'xdotool', [
          'search',
          '--onlyvisible',
          '--name',
          'vncgate-demo',
        ]);
        assert.match(windows, /^\d+\n$/, 'one visible xterm');

        const again = await demo('start', stateDir);
        assert.equal(again.code, 0);
        assert.equal(again.stdout, started.stdout, 'a second start reports the running desktop');
        assert.equal((await demo('status', stateDir)).stdout, started.stdout);

        const stopped = await demo('stop', stateDir);
        assert.equal(stopped.code, 0, `stop failed: ${stopped.stderr}`);
        // Orphans are reaped by PID 1, and a zombie counts as stopped.
        await pollUntil('the demo processes to exit', () => pids.every((p) => !alive(p)));
        assert.equal(existsSync(join(stateDir, 'state')), false, 'state file removed');
        assert.equal((await demo('status', stateDir)).code, 1, 'status after stop');
      } finally {
        await demo('stop', stateDir); // a no-op unless an assertion above failed
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  );
});
