// The gateway under test, started the way a websockify user starts websockify:
//   GATEWAY --web DIR 127.0.0.1:PORT 127.0.0.1:VNCPORT
// E2E_GATEWAY=vncgate (default) runs VNCGATE_BIN; E2E_GATEWAY=websockify runs Debian's websockify.
import { accessSync, constants, createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startListening } from './desktop.mjs';
import { bound } from './poll.mjs';
import { diedError, spawnLogged, stopProcesses } from './process.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The gateway the suite runs against, from the environment. */
export const gatewayConfig = Object.freeze({
  kind: process.env.E2E_GATEWAY || 'vncgate',
  vncgateBin: process.env.VNCGATE_BIN || join(repoRoot, 'build', 'gateway', 'vncgate'),
});

/** Throws a readable error if the configured gateway cannot be run at all. */
export function checkGatewayInstalled(config = gatewayConfig) {
  if (config.kind === 'websockify') return;
  if (config.kind !== 'vncgate') {
    throw new Error(`E2E_GATEWAY must be vncgate or websockify, not ${config.kind}`);
  }
  try {
    accessSync(config.vncgateBin, constants.X_OK);
  } catch {
    throw new Error(
      `no vncgate executable at ${config.vncgateBin}: build it (cmake --build build --target ` +
        'vncgate), set VNCGATE_BIN, or run with E2E_GATEWAY=websockify',
    );
  }
}

/** A running gateway: `port` on 127.0.0.1 serves HTTP and WebSocket; `stop()` never throws. */
export class Gateway {
  constructor({ kind, child, port, logFile }) {
    this.kind = kind;
    this.child = child;
    this.port = port;
    this.logFile = logFile;
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  stop() {
    return stopProcesses([this.child]);
  }
}

/**
 * Starts vncgate on port 0 and resolves once it prints "listening on 127.0.0.1:PORT" on stderr.
 * Both output streams go to `logFile` for as long as it runs (a pipe nobody reads would
 * eventually block the gateway).
 */
async function startVncgate({ bin, web, target, logFile, timeout }) {
  const child = spawnLogged(bin, ['--web', web, '127.0.0.1:0', target], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.logFile = logFile; // for diedError
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  child.once('close', () => log.end()); // after both streams ended
  try {
    const port = await new Promise((resolvePort, reject) => {
      let text = '';
      const finish = (error, value) => {
        clearTimeout(timer);
        child.stderr.off('data', onData);
        if (error) reject(error);
        else resolvePort(value);
      };
      const onData = (chunk) => {
        text += chunk;
        const m = /listening on 127\.0\.0\.1:(\d+)/.exec(text);
        if (m) finish(null, Number(m[1]));
      };
      const timer = setTimeout(
        () => finish(new Error(`vncgate printed no "listening on" line within ${timeout} ms`)),
        timeout,
      );
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', onData);
      // The short delay lets its last words reach the log before diedError quotes it.
      child.exited.then(() => setTimeout(() => finish(diedError('vncgate', child)), 100));
    });
    return new Gateway({ kind: 'vncgate', child, port, logFile });
  } catch (error) {
    await stopProcesses([child]);
    throw error;
  }
}

/**
 * Starts websockify on a free port and resolves once its process listens there. websockify
 * cannot listen on port 0 and report the port, so a port is picked here (and picked again if
 * another process takes it first).
 */
async function startWebsockify({ web, target, logFile, timeout }) {
  const { child, port } = await startListening(
    'websockify',
    async (port) =>
      spawnLogged('websockify', ['--web', web, `127.0.0.1:${port}`, target], { logFile }),
    { timeout },
  );
  return new Gateway({ kind: 'websockify', child, port, logFile });
}

/**
 * Starts the configured gateway serving `web` and forwarding WebSocket connections to the VNC
 * server at 127.0.0.1:`vncPort`. Resolves with a Gateway once it accepts connections.
 */
export function startGateway({ web, vncPort, logDir, config = gatewayConfig }) {
  checkGatewayInstalled(config);
  const options = {
    web,
    target: `127.0.0.1:${vncPort}`,
    logFile: join(logDir, `${config.kind}.log`),
    timeout: bound(20000),
  };
  return config.kind === 'websockify'
    ? startWebsockify(options)
    : startVncgate({ ...options, bin: config.vncgateBin });
}
