/**
 * For test files that need a Docker engine and images built here: docker/*.sh run bounded, the
 * engine started when none answers and stopped after the file only when the file started it.
 * Where dockerd or a build cannot run, the file fails with the script's own reason; it never skips.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { guardProcesses } from '../guard/guarded.ts';

export interface ScriptRun {
  readonly ms: number;
  readonly output: string;
}

/** Time a script has after SIGTERM to run its traps (unmount, remove its temporary folder) before SIGKILL. */
const TERM_GRACE_MS = 10_000;
/** The end of a long build log is where its error is; the rest would only bloat the failure message. */
const OUTPUT_TAIL_CHARS = 20_000;

/**
 * Runs `bash docker/<script> ...args` from `repoRoot` in a process group of its own. Past
 * `timeoutMs` the group gets SIGTERM, then SIGKILL. Rejects, with the end of the output, when it
 * fails or times out. `guarded`: its processes are also killed when it ends and if this process
 * dies first; not for start-dockerd.sh, whose daemon must outlive it.
 */
export async function runDockerScript(
  repoRoot: string,
  script: string,
  args: readonly string[],
  options: { readonly timeoutMs: number; readonly guarded: boolean },
): Promise<ScriptRun> {
  const { timeoutMs } = options;
  const started = Date.now();
  const guard = options.guarded ? guardProcesses(`docker/${script}`) : undefined;
  const child = spawn('bash', [`docker/${script}`, ...args], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...guard?.env },
  });
  guard?.adopt(child.pid);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = `${output}${chunk.toString('utf8')}`.slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const termTimer = setTimeout(() => {
    timedOut = true;
    signalGroup(child.pid, 'SIGTERM');
    killTimer = setTimeout(() => (guard ? guard.killAll() : signalGroup(child.pid, 'SIGKILL')), TERM_GRACE_MS);
  }, timeoutMs);
  const status = await new Promise<number | string>((resolve) => {
    child.on('error', (error) => resolve(error.message));
    child.on('close', (code, signal) => resolve(code ?? signal ?? 'no exit status'));
  });
  clearTimeout(termTimer);
  clearTimeout(killTimer);
  // What the script left running in its group (nothing, normally) goes with it.
  guard?.killAll();
  await guard?.release();
  const text = output.trim();
  if (timedOut) throw new Error(`docker/${script} did not finish within ${timeoutMs / 1000} s:\n${text}`);
  if (status !== 0) throw new Error(`docker/${script} ${args.join(' ')} ended with ${status}:\n${text}`);
  return { ms: Date.now() - started, output: text };
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/** The engine, ready: `startedPid` is set when this call started it (then the caller stops it with stopDockerd). */
export async function ensureDockerd(repoRoot: string): Promise<{ ms: number; startedPid: number | undefined }> {
  const { ms, output } = await runDockerScript(repoRoot, 'start-dockerd.sh', [], { timeoutMs: 60_000, guarded: false });
  const started = /started dockerd \(pid (\d+)\)/.exec(output);
  return { ms, startedPid: started ? Number(started[1]) : undefined };
}

/** Stops a dockerd that ensureDockerd started (it stops its containerd too); after 30 s SIGKILL, and throws. */
export async function stopDockerd(pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  // Not our child: poll /proc instead of waiting.
  const deadline = Date.now() + 30_000;
  while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  if (existsSync(`/proc/${pid}`)) {
    process.kill(pid, 'SIGKILL');
    throw new Error(`dockerd (pid ${pid}), started by these tests, did not stop within 30 s of SIGTERM; killed it`);
  }
  console.info(`stopped dockerd (pid ${pid}), which these tests had started`);
}
