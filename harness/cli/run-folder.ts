/**
 * Ownership of a run folder: one run at a time, and never on top of an earlier run unless
 * the user says so. Two runs with the same `--out` would otherwise mix their span files,
 * overwrite each other's result.json and leave a report that describes neither.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { registerCleanup } from '../env/process-cleanup.ts';
import { makeDirectory } from '../env/output-paths.ts';
import { RESULT_FILE } from '../report/result-io.ts';

export const LOCK_FILE = '.rpc-chaos.lock';

/**
 * Files and folders a run writes (external commands' logs are `<role>-<n>.log`); only these
 * are removed by --overwrite or when a dead run's folder is taken over, never anything else.
 */
const RUN_OUTPUT = new RegExp(
  String.raw`^(result\.json|segment\.json|report\.html|junit\.xml|summary\.md|` +
    String.raw`spans(-[\w.-]+)?\.jsonl|(server|client)-\d+\.log|run-\d+)$`,
);

export class RunFolderError extends Error {
  override readonly name = 'RunFolderError';
}

export interface ClaimedRunFolder {
  readonly dir: string;
  /** Said to the user: e.g. a stale lock that was taken over. */
  readonly notes: readonly string[];
  /** Removes the lock; safe to call twice. */
  release(): void;
}

interface LockContent {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
}

/**
 * Creates the folder and locks it for this process. Refuses a folder another live run holds,
 * and a folder that already holds a run (its result.json, or run-N folders of --repeat)
 * unless `overwrite`, which then removes that run's files first. A lock whose process is no
 * longer running (a crashed or killed run) is stale and taken over, with a note.
 */
export function claimRunFolder(dir: string, options: { overwrite: boolean }): ClaimedRunFolder {
  makeDirectory(dir);
  const lockFile = join(dir, LOCK_FILE);
  const notes: string[] = [];
  const stale = takeLock(lockFile);
  if (stale) {
    // The dead run's span files and logs would otherwise be read as this run's (its trace, its
    // old queue), and its half-written result would be refused as "already holds a run".
    const removed = removeRunOutput(dir);
    notes.push(
      `took over a stale lock in ${dir}: process ${stale.pid} (started ${stale.startedAt}) is no longer running; ` +
        `${removed.length > 0 ? `removed what it left: ${listNames(removed)}` : 'it left no files'}`,
    );
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    unregister();
    try {
      unlinkSync(lockFile);
    } catch {
      // Already gone (the folder was removed by the user): nothing to release.
    }
  };
  const unregister = registerCleanup(`run folder lock ${lockFile}`, release);

  const previous = previousRun(dir);
  if (previous.length > 0) {
    if (!options.overwrite) {
      release();
      throw new RunFolderError(
        `${dir} already holds a run (${previous.slice(0, 3).join(', ')}${previous.length > 3 ? ', …' : ''}): ` +
          'choose another --out, or pass --overwrite to replace it',
      );
    }
    const removed = removeRunOutput(dir);
    notes.push(`--overwrite: removed the earlier run in ${dir} (${listNames(removed)})`);
  }
  return { dir, notes, release };
}

/** Removes the files and folders a run writes, and returns their names. */
function removeRunOutput(dir: string): string[] {
  const removed = readdirSync(dir)
    .filter((name) => RUN_OUTPUT.test(name))
    .sort();
  for (const name of removed) rmSync(join(dir, name), { recursive: true, force: true });
  return removed;
}

function listNames(names: readonly string[]): string {
  return names.length <= 8 ? names.join(', ') : `${names.slice(0, 8).join(', ')} and ${names.length - 8} more`;
}

/** The result files of an earlier run in `dir`: its own, or those of its run-N repeats. */
function previousRun(dir: string): string[] {
  const found: string[] = [];
  if (existsSync(join(dir, RESULT_FILE))) found.push(RESULT_FILE);
  for (const name of readdirSync(dir)) {
    if (/^run-\d+$/.test(name) && existsSync(join(dir, name, RESULT_FILE))) found.push(join(name, RESULT_FILE));
  }
  return found;
}

/**
 * Creates the lock file exclusively. Returns the stale lock it replaced, if any; throws when
 * a live process holds it. Two attempts at most: a second EEXIST means another run won the race.
 */
function takeLock(lockFile: string): LockContent | undefined {
  const content: LockContent = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  let replaced: LockContent | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      writeFileSync(lockFile, `${JSON.stringify(content)}\n`, { flag: 'wx' });
      return replaced;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new RunFolderError(`cannot lock ${lockFile}: ${(error as Error).message}`);
    }
    const holder = readLock(lockFile);
    if (attempt === 2 || (holder ? isAlive(holder) : justWritten(lockFile))) {
      const who = holder ? `process ${holder.pid} on ${holder.host}, started ${holder.startedAt}` : 'another run';
      throw new RunFolderError(
        `${lockFile} shows that ${who} is writing to this folder: ` +
          'choose another --out, or wait for that run to end (delete the lock only if no run is active)',
      );
    }
    replaced = holder ?? { pid: 0, host: 'unknown', startedAt: 'unknown' };
    rmSync(lockFile, { force: true });
  }
  return replaced;
}

function readLock(lockFile: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockFile, 'utf8')) as Partial<LockContent>;
    if (typeof parsed.pid !== 'number') return undefined;
    return {
      pid: parsed.pid,
      host: String(parsed.host ?? 'unknown'),
      startedAt: String(parsed.startedAt ?? 'unknown'),
    };
  } catch {
    return undefined;
  }
}

/** An unreadable lock is stale, unless it is so new that its writer may still be writing it. */
function justWritten(lockFile: string): boolean {
  try {
    return Date.now() - statSync(lockFile).mtimeMs < 5_000;
  } catch {
    return false;
  }
}

/** A lock from another host cannot be checked, so it counts as held. */
function isAlive(lock: LockContent): boolean {
  if (lock.host !== hostname()) return true;
  try {
    process.kill(lock.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
