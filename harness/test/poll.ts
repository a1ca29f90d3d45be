/**
 * Test support: wait for something the test can observe (a process gone, a count reached, a
 * queue emptied) instead of sleeping for a time that a loaded machine may overrun. Every wait
 * is bounded. `pollUntil` hands back what it saw last, so the test asserts on that value and
 * a failure shows the state itself (as cli-signals' survivor checks do); `waitUntil` throws,
 * naming what never came.
 */

export interface PollOptions {
  /** How long to keep looking before giving up. */
  readonly timeoutMs: number;
  /** Pause between two looks. */
  readonly intervalMs?: number;
}

const DEFAULT_INTERVAL_MS = 20;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reads until `done` holds or the bound passes; returns the last reading either way. */
export async function pollUntil<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions,
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  let value = await read();
  while (!done(value) && performance.now() < deadline) {
    await sleep(options.intervalMs ?? DEFAULT_INTERVAL_MS);
    value = await read();
  }
  return value;
}

/** Resolves once `condition` holds; rejects with `no <what> within <timeoutMs> ms` if it never does. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  options: PollOptions,
): Promise<void> {
  if (!(await pollUntil(condition, (met) => met, options)))
    throw new Error(`no ${what} within ${options.timeoutMs} ms`);
}
