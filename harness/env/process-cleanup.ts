/**
 * Last-resort cleanup of what this process started (broker nodes, child processes,
 * containers), so nothing outlives it: on normal exit, on an uncaught error, and on
 * SIGINT/SIGTERM/SIGHUP. Owners still stop their resources in `finally`; this only catches
 * what an interrupted or crashed run left behind. What survives a SIGKILL of this process is
 * removed by its owner guard (guard/owner-guard.mjs).
 *
 * The first signal starts the graceful path (interrupt listeners, then graceful stops);
 * copies of it within REPEAT_WINDOW_MS are ignored; a later SIGINT or SIGTERM is a real
 * "now": it says what it abandons, kills and exits.
 */

type SyncKill = () => void;
type AsyncStop = () => Promise<void>;

interface Registration {
  readonly name: string;
  readonly kill: SyncKill;
  readonly stop?: AsyncStop;
}

const registrations = new Map<number, Registration>();
const interruptListeners = new Set<(signal: NodeJS.Signals) => Promise<void> | void>();
const abandonListeners = new Set<() => string[]>();
let nextId = 1;
let installed = false;
let firstSignalAt: number | undefined;

/** Exit codes for signals, as shells report them (128 + signal number). */
const SIGNAL_EXIT_CODES: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
/**
 * One Ctrl-C in a terminal reaches a process more than once: the terminal signals the whole
 * foreground group (npm, sh, tsx, node), and npm and tsx relay it to their child too (tsx
 * after ~30 ms without an answer). Signals this close to the first are the same request.
 */
export const REPEAT_WINDOW_MS = 1_000;
/** How long the graceful path may take before it is abandoned (a broker may still be starting). */
const INTERRUPT_STOP_BUDGET_MS = 120_000;

function killAllSync(): void {
  for (const registration of registrations.values()) {
    try {
      registration.kill();
    } catch {
      // The resource may already be gone; exit must not be prevented by it.
    }
  }
  registrations.clear();
}

/** Writes to stderr even when the terminal is gone (SIGHUP): a lost message must not stop the cleanup. */
function say(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // No terminal any more.
  }
}

function abandoning(): string {
  const lines = [...abandonListeners].flatMap((listener) => listener());
  const names = [...registrations.values()].map((r) => r.name);
  if (names.length > 0) lines.push(`killing without a graceful stop: ${names.join(', ')}`);
  return lines.length > 0
    ? lines.map((line) => `  - ${line}\n`).join('')
    : '  - nothing: everything was already written and stopped\n';
}

function exitNow(signal: NodeJS.Signals, reason: string): never {
  say(`\n${reason}; abandoning:\n${abandoning()}`);
  killAllSync();
  process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
}

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  if (signal === 'SIGHUP') keepRunningWithoutTerminal();
  if (firstSignalAt !== undefined) {
    // A closed terminal is not a request to hurry; nor is a relayed copy of the first signal.
    if (signal === 'SIGHUP' || Date.now() - firstSignalAt < REPEAT_WINDOW_MS) return;
    exitNow(signal, `${signal} again`);
  }
  firstSignalAt = Date.now();
  const budget = new Promise<void>((resolve) => setTimeout(resolve, INTERRUPT_STOP_BUDGET_MS).unref());
  const graceful = (async () => {
    for (const listener of interruptListeners) await listener(signal);
    await Promise.allSettled([...registrations.values()].map((r) => r.stop?.()));
    return true;
  })();
  const finished = await Promise.race([graceful.catch(() => true), budget.then(() => false)]);
  if (!finished) exitNow(signal, `the graceful stop took longer than ${INTERRUPT_STOP_BUDGET_MS / 1000} s`);
  killAllSync();
  process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
}

/** After SIGHUP the terminal is gone: writes to it fail with EIO, which must not crash the run. */
let terminalGone = false;
function keepRunningWithoutTerminal(): void {
  if (terminalGone) return;
  terminalGone = true;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllSync);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
}

/**
 * Registers a resource. `kill` must be synchronous (it runs inside 'exit');
 * `stop` is the graceful path tried first on SIGINT/SIGTERM. Returns the unregister function.
 */
export function registerCleanup(name: string, kill: SyncKill, stop?: AsyncStop): () => void {
  install();
  const id = nextId++;
  registrations.set(id, { name, kill, stop });
  return () => {
    registrations.delete(id);
  };
}

/** Runs before resources are stopped on Ctrl-C, e.g. to stop load and write what was measured. */
export function onInterrupt(listener: (signal: NodeJS.Signals) => Promise<void> | void): () => void {
  install();
  interruptListeners.add(listener);
  return () => {
    interruptListeners.delete(listener);
  };
}

/** Lines saying what a second Ctrl-C abandons (e.g. a result not written yet). */
export function onAbandon(listener: () => string[]): () => void {
  install();
  abandonListeners.add(listener);
  return () => {
    abandonListeners.delete(listener);
  };
}

/** Names of what is still registered, for diagnostics and tests. */
export function pendingCleanups(): string[] {
  return [...registrations.values()].map((r) => r.name);
}

/** Kills a whole process group (a negative pid), ignoring "no such process". */
export function killProcessGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
