// Child processes for the e2e tests: spawned with their output in a log file, tracked until they
// exit, and stopped by PID (SIGTERM, a bounded wait, then SIGKILL), even when a test fails or the
// runner is interrupted.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** How long a process may take to exit after SIGTERM before it gets SIGKILL. */
export const STOP_GRACE_MS = 5000;

/** Every child started through this module that has not exited yet. */
const live = new Set();

/** Synchronous clean-up steps still pending, for when this process goes away (see atExit). */
const exitSteps = new Set();

/**
 * Registers `fn` (synchronous) to run if this process exits or is interrupted before the caller
 * calls the returned function, which runs nothing and unregisters it: for scratch folders.
 */
export function atExit(fn) {
  exitSteps.add(fn);
  return () => exitSteps.delete(fn);
}

/** Kills what is still running, synchronously: the last resort when this process goes away. */
function killAllNow() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const fn of exitSteps) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
}
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    killAllNow();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

/**
 * A child process (in `cwd`, with `env`) whose stdout and stderr go to `logFile`. `stdio` may
 * say otherwise per fd, as for child_process.spawn, where 'log' stands for the log file (default
 * ['ignore', 'log', 'log']).
 * Returns the ChildProcess, with `exited`: a promise that resolves with { code, signal } once the
 * process has exited (it never rejects; a failed spawn resolves with code -1).
 */
export function spawnLogged(
  command,
  args,
  { logFile, env = process.env, cwd, stdio = ['ignore', 'log', 'log'] } = {},
) {
  const fd = logFile ? openSync(logFile, 'a') : 'ignore';
  let child;
  try {
    child = spawn(command, args, { env, cwd, stdio: stdio.map((s) => (s === 'log' ? fd : s)) });
  } finally {
    if (typeof fd === 'number') closeSync(fd); // the child has its own copy
  }
  live.add(child);
  child.exited = new Promise((resolve) => {
    child.once('error', (error) => {
      live.delete(child);
      child.spawnError = error;
      resolve({ code: -1, signal: null, error });
    });
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  child.logFile = logFile;
  return child;
}

/** True while `child` has neither exited nor failed to start. */
export function isRunning(child) {
  return live.has(child);
}

/** Resolves true if `child` exits within `ms`, false otherwise. */
async function exitsWithin(child, ms) {
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([child.exited.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stops the given children by PID: SIGTERM to all, up to STOP_GRACE_MS for each to exit, then
 * SIGKILL. Children that already exited are skipped. Resolves once all of them are gone; it never
 * throws, so it is safe in `finally` blocks and hooks.
 */
export async function stopProcesses(children) {
  const running = children.filter((c) => c && isRunning(c));
  for (const child of running) child.kill('SIGTERM');
  await Promise.all(
    running.map(async (child) => {
      if (await exitsWithin(child, STOP_GRACE_MS)) return;
      child.kill('SIGKILL');
      await exitsWithin(child, STOP_GRACE_MS);
    }),
  );
}

/** The last `lines` lines of a log file, or '' if it cannot be read: for error messages. */
export function logTail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** An error saying that `child` is not running, with the tail of its log. */
export function diedError(what, child) {
  const how = child.spawnError
    ? `could not start: ${child.spawnError.message}`
    : `exited (code ${child.exitCode}, signal ${child.signalCode})`;
  const tail = child.logFile ? logTail(child.logFile) : '';
  return new Error(`${what} ${how}${tail ? `; end of ${child.logFile}:\n${tail}` : ''}`);
}
