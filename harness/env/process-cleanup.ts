/**
 * Last-resort cleanup of what this process started (broker nodes, child processes,
 * containers), so nothing outlives it: on normal exit, on an uncaught error, and on
 * SIGINT/SIGTERM. Owners still stop their resources in `finally`; this only catches
 * what an interrupted or crashed run left behind.
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
let nextId = 1;
let installed = false;
let interrupted = false;

/** Exit codes for signals, as shells report them. */
const SIGNAL_EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
const INTERRUPT_STOP_BUDGET_MS = 15_000;

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

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  if (interrupted) {
    // A second Ctrl-C means "now": kill without waiting for graceful stops.
    killAllSync();
    process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
  }
  interrupted = true;
  const budget = new Promise<void>((resolve) => setTimeout(resolve, INTERRUPT_STOP_BUDGET_MS).unref());
  const graceful = (async () => {
    for (const listener of interruptListeners) await listener(signal);
    await Promise.allSettled([...registrations.values()].map((r) => r.stop?.()));
  })();
  await Promise.race([graceful.catch(() => undefined), budget]);
  killAllSync();
  process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllSync);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
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
