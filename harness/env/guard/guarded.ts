/**
 * Records what this process starts that must not outlive it, so that its owner guard
 * (owner-guard.mjs, started on first use) removes it if this process dies without stopping
 * it, and so that the next run removes it if the guard died too. Owners still stop their
 * resources themselves and then release the record.
 *
 *   const node = guardProcesses('rabbitmq node rpc-chaos-1@localhost');
 *   spawn(cmd, args, { env: { ...env, ...node.env } });   // marks the node and all it starts
 *   ...; node.killAll(); node.release();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../../build/programs.ts';
import { killMarkedProcesses, markedProcesses, MARKER_VARIABLE, ownersRoot, processStartTime, type Leftover } from './leftovers.mjs';

// From the source tree also when this code runs compiled: the guard is plain JavaScript.
const GUARD_SCRIPT = repoPath('harness/env/guard/owner-guard.mjs');

interface OwnerState {
  readonly dir: string;
  readonly key: string;
  readonly guard: ChildProcess;
}

let owner: OwnerState | undefined;
let nextId = 1;

function ownerState(): OwnerState {
  if (owner) return owner;
  const startTime = processStartTime(process.pid);
  const key = `${process.pid}-${startTime ?? Date.now()}`;
  const dir = join(ownersRoot(), key);
  mkdirSync(dir, { recursive: true });
  // Detached: Ctrl-C in the terminal and a kill of the owner's process group do not reach it.
  // Plain node with a minimal environment: no TypeScript loader, so it starts fast.
  const guard = spawn(process.execPath, [GUARD_SCRIPT, dir], {
    stdio: ['pipe', 'ignore', 'inherit'],
    detached: true,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: process.env.TMPDIR ?? '' },
  });
  guard.unref();
  guard.stdin?.on('error', () => undefined);
  // The pipe must not keep this process alive; it only has to close when this process ends.
  (guard.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  const record = {
    pid: process.pid,
    startTime,
    guardPid: guard.pid,
    guardStartTime: guard.pid === undefined ? undefined : processStartTime(guard.pid),
    command: process.argv.slice(1).join(' ').slice(0, 200),
  };
  writeFileSync(join(dir, 'owner.json'), JSON.stringify(record));
  process.on('exit', () => removeIfNothingLeft(dir));
  owner = { dir, key, guard };
  return owner;
}

/** At a normal exit everything was stopped and released: the guard then finds no state directory. */
function removeIfNothingLeft(dir: string): void {
  try {
    if (readdirSync(dir).every((name) => name === 'owner.json')) rmSync(dir, { recursive: true, force: true });
  } catch {
    // Already gone.
  }
}

function record(leftover: (id: string) => Leftover): { id: string; release: () => void } {
  const state = ownerState();
  const id = String(nextId++);
  const file = join(state.dir, `${id}.json`);
  writeFileSync(file, JSON.stringify(leftover(`${state.key}:${id}`)));
  let released = false;
  return {
    id,
    release: () => {
      if (released) return;
      released = true;
      try {
        unlinkSync(file);
      } catch {
        // Already gone.
      }
    },
  };
}

export interface GuardedProcesses {
  /** Add to the environment of the process to start: it and everything it starts carry the marker. */
  readonly env: Readonly<Record<string, string>>;
  /** SIGKILLs every process carrying the marker (also daemons that left the process group). */
  killAll(): number[];
  /** Pids of the processes carrying the marker now (to signal them, e.g. SIGSTOP). */
  pids(): number[];
  release(): void;
}

/** Guards a process tree by an environment marker, recorded before the process starts. */
export function guardProcesses(what: string): GuardedProcesses {
  let marker = '';
  const { release } = record((id) => {
    marker = id;
    return { kind: 'processes', what, marker: id };
  });
  return { env: { [MARKER_VARIABLE]: marker }, killAll: () => killMarkedProcesses(marker), pids: () => markedProcesses(marker), release };
}

/** Guards a directory: removed if the owner dies without removing it. */
export function guardDirectory(what: string, path: string): () => void {
  return record(() => ({ kind: 'dir', what, path })).release;
}

/** Guards an iptables chain of the harness's own: unhooked from INPUT and deleted if the owner dies first. */
export function guardIptablesChain(what: string, chain: string): () => void {
  return record(() => ({ kind: 'iptables-chain', what, chain })).release;
}

/** Guards a container by name: force-removed through the engine API if the owner dies first. */
export function guardContainer(what: string, name: string, socketPath: string): () => void {
  return record(() => ({ kind: 'container', what, name, socketPath })).release;
}

/** The guard of this process, if one was started (for tests and diagnostics). */
export function ownerGuardPid(): number | undefined {
  return owner?.guard.pid;
}
