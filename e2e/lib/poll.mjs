// Bounded polling: wait for a condition without fixed sleeps; the timeout is only a failure bound.
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/**
 * The scale for every failure bound in the suite: E2E_TIMEOUT_SCALE=3 triples them all, for a
 * very slow machine. Nothing asserts on speed; these only stop a hung test.
 */
export const TIMEOUT_SCALE = Number(process.env.E2E_TIMEOUT_SCALE ?? '1') || 1;

/** A failure bound of `ms` milliseconds, scaled by E2E_TIMEOUT_SCALE. */
export function bound(ms) {
  return Math.round(ms * TIMEOUT_SCALE);
}

/**
 * Calls `probe` every `interval` ms until `accept(value)` is true and returns that value.
 * `probe` may be async; if it throws, the error counts as "not yet" (and is reported if the wait
 * times out). `abort()` may throw to end the wait early, e.g. when the process we wait for died.
 * Throws after `timeout` ms with `what` and the last value seen.
 */
export async function pollUntil(
  what,
  probe,
  { accept = Boolean, timeout = bound(20000), interval = 50, abort } = {},
) {
  const end = Date.now() + timeout;
  let last;
  let lastError;
  for (;;) {
    if (abort) abort();
    try {
      last = await probe();
      lastError = undefined;
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= end) break;
    await sleep(interval);
  }
  const seen = lastError
    ? `last error: ${lastError.message}`
    : `last value: ${JSON.stringify(last)}`;
  throw new Error(`timed out after ${timeout} ms waiting for ${what}; ${seen}`);
}
