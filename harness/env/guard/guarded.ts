/**
 * Records what this process starts that must not outlive it, so that its owner guard
 * (owner-guard.mjs, started on first use) removes it if this process dies without stopping
 * it, and so that the next run removes it if the guard died too. Owners still stop their
 * resources themselves and then release the record.
 *
 *   const node = guardProcesses('rabbitmq node rpc-chaos-1@localhost');
 *   spawn(cmd, args, { env: { ...env, ...node.env } });   // marks the node and all it starts
 *   ...; node.killAll(); node.release();
 *
 * A program can drop its environment (`env -i`, sudo, runuser), so a command or worker is also
 * adopted right after its spawn: its process group (it must be spawned detached) and, where
 * the machine allows, a cgroup of its own (cgroups.mjs) are recorded and killed with it.
 *
 *   const command = guardProcesses('command server-1');
 *   const procs = command.prepareCgroup();            // the shell can join it before it runs the line
 *   const child = spawn('/bin/sh', ['-c', line], { detached: true, env: { ...env, ...command.env } });
 *   command.adopt(child.pid);
 *   ...; command.killAll(); await command.release();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoPath } from '../../build/programs.ts';
import { cgroupProcesses, killCgroup, moveIntoCgroup, ownCgroupDir, removeEmptyCgroup } from './cgroups.mjs';
import {
  killMarkedProcesses,
  killProcessGroupOf,
  markedProcesses,
  MARKER_VARIABLE,
  ownersRoot,
  processGroupMembersOf,
  processStartTime,
  type Leftover,
  type ProcessGroup,
} from './leftovers.mjs';

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

interface Recorded {
  /** `<owner key>-<n>`: unique on this machine while the owner lives. */
  readonly name: string;
  /** Replaces the record, atomically: the guard never reads half of it. */
  update(leftover: Leftover): void;
  release(): void;
}

function record(leftover: (id: string) => Leftover): Recorded {
  const state = ownerState();
  const id = String(nextId++);
  const file = join(state.dir, `${id}.json`);
  writeFileSync(file, JSON.stringify(leftover(`${state.key}:${id}`)));
  let released = false;
  return {
    name: `${state.key}-${id}`,
    update: (next) => {
      if (released) return;
      // Not *.json: the guard skips it while it is being written.
      writeFileSync(`${file}.next`, JSON.stringify(next));
      renameSync(`${file}.next`, file);
    },
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
  /**
   * Makes the cgroup of the process to start, where the machine allows one, and returns the
   * path of its cgroup.procs: a process that writes its own pid there before it starts
   * anything (`echo $$ > <path>` in a shell) leaves nothing outside it.
   */
  prepareCgroup(): string | undefined;
  /**
   * Records the process just started, which must lead a process group of its own (spawned
   * detached): its group, and its cgroup, which it is moved into where the machine allows one.
   * Without prepareCgroup and that first write, what the process starts before this move
   * stays outside the cgroup.
   */
  adopt(pid: number | undefined): void;
  /** SIGKILLs every process carrying the marker, in the adopted process group or in its cgroup. */
  killAll(): number[];
  /** Pids of those processes now (to signal them, e.g. SIGSTOP). */
  pids(): number[];
  /**
   * The owner has stopped them: removes the cgroup once its last process has exited (within
   * RELEASE_BOUND_MS; if one lingers, the record stays and the guard kills it when the owner
   * ends), then the record. Without a cgroup it is done before it returns.
   */
  release(): Promise<void>;
}

/** How the processes this owner adopts are contained, decided at the first adoption. */
export type ProcessContainment =
  | { readonly mechanism: 'cgroup'; readonly parent: string }
  | { readonly mechanism: 'process-group'; readonly reason: string };

let containment: ProcessContainment | undefined;

/**
 * Cgroups for this owner's processes, below its own cgroup; process groups only where that
 * cannot be. The cgroups are for finding processes, not for limiting them: below a cgroup that
 * hands controllers down (cpu, memory), a new cgroup would change how the processes are
 * scheduled (and the cpu controller refuses SCHED_FIFO outside the root cgroup on kernels with
 * RT group scheduling, which --client-priority realtime needs), so there it is not used.
 */
function decideContainment(): ProcessContainment {
  if (containment) return containment;
  const parent = ownCgroupDir();
  let controllers = '';
  try {
    if (parent) controllers = readFileSync(join(parent, 'cgroup.subtree_control'), 'utf8').trim();
  } catch {
    // Unreadable: then creating a cgroup there fails as well, and says why.
  }
  containment = !parent
    ? { mechanism: 'process-group', reason: 'no cgroup v2 hierarchy that holds this process is mounted' }
    : controllers !== ''
      ? { mechanism: 'process-group', reason: `the cgroup ${parent} hands controllers to new cgroups (${controllers})` }
      : { mechanism: 'cgroup', parent };
  return containment;
}

/** How this process contains what it starts: undefined until it adopted a process. */
export function processContainment(): ProcessContainment | undefined {
  return containment;
}

/** Killed processes leave their cgroup within milliseconds; this bounds the wait for one that does not. */
const RELEASE_BOUND_MS = 2_000;
const RELEASE_POLL_MS = 10;

/** Guards a process tree by an environment marker, recorded before the process starts, and by what `adopt` records. */
export function guardProcesses(what: string): GuardedProcesses {
  let marker = '';
  const recorded = record((id) => {
    marker = id;
    return { kind: 'processes', what, marker: id };
  });
  let group: ProcessGroup | undefined;
  let cgroup: string | undefined;
  let released: Promise<void> | undefined;

  const update = () =>
    recorded.update({ kind: 'processes', what, marker, ...(group ? { group } : {}), ...(cgroup ? { cgroup } : {}) });

  /** The machine did not let us (EACCES, EROFS, ...): this and later processes go by process group only. */
  const cgroupRefused = (parent: string, error: unknown) => {
    containment = {
      mechanism: 'process-group',
      reason:
        `cannot make or join a cgroup in ${parent}: ` +
        `${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  };

  const prepareCgroup = () => {
    if (cgroup) return join(cgroup, 'cgroup.procs');
    const contained = decideContainment();
    if (contained.mechanism !== 'cgroup' || released) return undefined;
    // Recorded before it exists: an owner killed in between leaves nothing the guard does not know.
    cgroup = join(contained.parent, `rpc-chaos-${recorded.name}`);
    update();
    try {
      mkdirSync(cgroup);
      return join(cgroup, 'cgroup.procs');
    } catch (error) {
      cgroup = undefined;
      update();
      cgroupRefused(contained.parent, error);
      return undefined;
    }
  };

  const adopt = (pid: number | undefined) => {
    if (pid === undefined || group || released) return;
    group = { pgid: pid, leaderStartTime: processStartTime(pid) };
    prepareCgroup();
    update();
    if (!cgroup) return;
    try {
      // Harmless when the process moved itself already; it tells whether the machine lets us.
      moveIntoCgroup(cgroup, pid);
    } catch (error) {
      // Gone already (ESRCH): what it started may be in the cgroup, which stays recorded.
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return;
      cgroupRefused(dirname(cgroup), error);
      if (removeEmptyCgroup(cgroup) === true) {
        cgroup = undefined;
        update();
      }
    }
  };

  const killAll = () => {
    const killed = new Set(killMarkedProcesses(marker));
    if (group) for (const pid of killProcessGroupOf(group)) killed.add(pid);
    if (cgroup) for (const pid of killCgroup(cgroup)) killed.add(pid);
    return [...killed];
  };

  const pids = () => {
    const found = new Set(markedProcesses(marker));
    if (group) for (const pid of processGroupMembersOf(group)) found.add(pid);
    if (cgroup) for (const pid of cgroupProcesses(cgroup)) found.add(pid);
    return [...found];
  };

  const release = () => {
    released ??= (async () => {
      if (cgroup && removeEmptyCgroup(cgroup) !== true) {
        const deadline = Date.now() + RELEASE_BOUND_MS;
        let removed = false;
        while (!removed && Date.now() < deadline) {
          // Not unref'd: an owner awaiting this must not end half-way because nothing else is pending.
          await new Promise((resolve) => setTimeout(resolve, RELEASE_POLL_MS));
          removed = removeEmptyCgroup(cgroup) === true;
        }
        if (!removed) return;
      }
      recorded.release();
    })();
    return released;
  };

  return { env: { [MARKER_VARIABLE]: marker }, prepareCgroup, adopt, killAll, pids, release };
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
