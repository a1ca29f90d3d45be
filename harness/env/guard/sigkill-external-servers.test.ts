/**
 * The owner guard against external servers that drop the harness's environment, through the
 * real chain a user runs: `npm run scenario` (npm, then the node process it execs) runs
 * `--server-cmd 'env -i …'`, as a server started through sudo or runuser would be. The
 * environment marker cannot find such servers; their process groups and cgroups must.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../broker/private-rabbit-node.ts';
import { cgroupsRoot } from './cgroups.mjs';
import { MARKER_VARIABLE, processStartTime, readOwner } from './leftovers.mjs';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURE = join(repoRoot, 'harness/impl/command/test/fixtures/server-dropping-its-environment.sh');
const PYTHON_SERVER = join(repoRoot, 'scenarios/implementations/python/rpc_server.py');
const SERVERS = 3;
/** Generous: the machine is shared. The guard itself acts within a second on a quiet machine. */
const REAP_BOUND_MS = 15_000;
const READY_BOUND_MS = 120_000;

interface ProcessSnapshot {
  readonly pid: number;
  readonly startTime: string | undefined;
  readonly commandLine: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

function hasMarker(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`${MARKER_VARIABLE}=`);
  } catch {
    return false;
  }
}

/** Every descendant of a process, from the parent links in /proc. */
function descendants(rootPid: number): ProcessSnapshot[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone while we looked.
    }
  }
  const found: ProcessSnapshot[] = [];
  const queue = [rootPid];
  for (let i = 0; i < queue.length && i < 10_000; i++) {
    for (const pid of children.get(queue[i]!) ?? []) {
      found.push({ pid, startTime: processStartTime(pid), commandLine: commandLine(pid) });
      queue.push(pid);
    }
  }
  return found;
}

/** The same process (pid and start time) still running, not a zombie. */
function stillRunning(process: ProcessSnapshot): boolean {
  return process.startTime !== undefined && processStartTime(process.pid) === process.startTime;
}

/** Polls until nothing is left, or returns what still is after the bound. */
async function survivorsAfter(boundMs: number, check: () => string[]): Promise<string[]> {
  const deadline = Date.now() + boundMs;
  let survivors = check();
  while (survivors.length > 0 && Date.now() < deadline) {
    await sleep(200);
    survivors = check();
  }
  return survivors;
}

/** This run's cgroups: named for its owner key, `rpc-chaos-<pid>-<start time>-<n>`, under the unified hierarchy. */
function cgroupsOf(ownerKey: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return;
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name);
    } catch {
      return;
    }
    for (const name of entries) {
      if (name.startsWith(`rpc-chaos-${ownerKey}-`)) found.push(join(dir, name));
      else walk(join(dir, name), depth + 1);
    }
  };
  const root = cgroupsRoot();
  if (root) walk(root, 0);
  return found;
}

/** The cgroup the runner makes its cgroups in: the one this test process runs in, which the runner inherits. */
function cgroupParentOf(root: string): string {
  const own = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((line) => line.startsWith('0::'))!
    .slice(3);
  return join(root, own);
}

let node: StartedPrivateRabbitNode;
const cleanups: Array<() => void> = [];

interface Run {
  readonly chain: ChildProcess;
  readonly pidFile: string;
  readonly outDir: string;
  readonly isolated: string;
  readonly exited: Promise<number | null>;
  output(): string;
}

/** `npm run scenario -- baseline` against the test's broker, with SERVERS servers that drop their environment. */
async function startRun(duration: string): Promise<Run> {
  // A temp dir of its own: the owner state lands where no other test file's run reaps it first.
  const isolated = mkdtempSync(join(tmpdir(), 'rpc-chaos-guard-env-'));
  cleanups.push(() => rmSync(isolated, { recursive: true, force: true }));
  const pidFile = join(isolated, 'server-pids');
  const outDir = join(isolated, 'run');
  const serverCmd =
    `env -i PATH=/usr/bin:/bin AMQP_URL="$AMQP_URL" RPC_QUEUE="$RPC_QUEUE" ` +
    `RPC_PREFETCH=10 /bin/sh ${FIXTURE} ${pidFile} ${PYTHON_SERVER}`;
  const args = [
    'run',
    '--silent',
    'scenario',
    '--',
    'baseline',
    '--duration',
    duration,
    '--servers',
    String(SERVERS),
    '--clients',
    '1',
    '--rate',
    '20',
    '--server-cmd',
    serverCmd,
    '--no-tracing',
    '--no-default-gates',
    '--out',
    outDir,
  ];
  const chain = spawn('npm', args, {
    cwd: repoRoot,
    env: { ...process.env, AMQP_URL: node.getAmqpUrl(), TOXIPROXY_URL: '', TMPDIR: isolated },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own group, so the test can still kill what it started if it fails.
    detached: true,
  });
  cleanups.push(() => {
    try {
      process.kill(-chain.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  });
  let output = '';
  chain.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  chain.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => chain.once('close', (code) => resolve(code)));
  return { chain, pidFile, outDir, isolated, exited, output: () => output };
}

/** Once the load runs (every server consumes): the runner, everything under it, and its owner state. */
async function whileRunning(
  run: Run,
): Promise<{ runner: ProcessSnapshot; owned: ProcessSnapshot[]; ownerKey: string; stateDir: string }> {
  const readyBy = Date.now() + READY_BOUND_MS;
  while (!/running/.test(run.output())) {
    if (run.chain.exitCode !== null)
      throw new Error(`the run ended before its load started:\n${run.output().slice(-3000)}`);
    if (Date.now() > readyBy) throw new Error(`no load within ${READY_BOUND_MS} ms:\n${run.output().slice(-3000)}`);
    await sleep(100);
  }
  const runner = descendants(run.chain.pid!).find((candidate) =>
    candidate.commandLine.startsWith('node harness/build/launch.mjs cli '),
  );
  if (!runner) throw new Error(`no runner process under npm: ${run.output().slice(-2000)}`);
  const ownerKey = `${runner.pid}-${runner.startTime}`;
  return {
    runner,
    owned: descendants(runner.pid),
    ownerKey,
    stateDir: join(run.isolated, 'rpc-chaos-owners', ownerKey),
  };
}

describe('the owner guard and external servers that drop their environment', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().withStartTimeout(90_000).start();
  }, 120_000);

  afterAll(async () => {
    for (const cleanup of cleanups) cleanup();
    await node?.stop();
  });

  it(
    `a SIGKILLed runner leaves none of ${SERVERS} "env -i" servers running, ` +
      `nor their children in or out of their process groups`,
    async () => {
      const run = await startRun('120s');
      const { runner, owned, ownerKey, stateDir } = await whileRunning(run);
      const guardPid = readOwner(stateDir)?.guardPid;

      // Each server wrote three pids: its group's helper, the helper that left group and session, itself.
      const serverPids = readFileSync(run.pidFile, 'utf8').trim().split('\n').map(Number);
      expect(serverPids).toHaveLength(3 * SERVERS);
      const ownedPids = new Set(owned.map((process) => process.pid));
      expect(
        serverPids.filter((pid) => !ownedPids.has(pid)),
        'every server and helper runs under the runner',
      ).toEqual([]);
      // What made the guard miss them: none of them carries the marker.
      expect(serverPids.filter(hasMarker)).toEqual([]);
      expect(owned.filter((process) => process.commandLine.startsWith('/usr/bin/python3 '))).toHaveLength(SERVERS);
      // This machine mounts a writable cgroup v2 hierarchy: each server got a cgroup of its own.
      expect(cgroupsRoot(), 'no cgroup v2 hierarchy mounted').toBeDefined();
      expect(cgroupsOf(ownerKey).length).toBeGreaterThanOrEqual(SERVERS);

      process.kill(runner.pid, 'SIGKILL');
      const killedAt = Date.now();
      const survivors = await survivorsAfter(REAP_BOUND_MS, () => [
        ...owned.filter(stillRunning).map((process) => `process ${process.pid} ${process.commandLine.slice(0, 100)}`),
        ...(guardPid !== undefined && processStartTime(guardPid) !== undefined ? [`guard ${guardPid}`] : []),
        ...cgroupsOf(ownerKey).map((dir) => `cgroup ${dir}`),
        ...(existsSync(stateDir) ? [`state ${stateDir}`] : []),
      ]);
      console.info(`runner SIGKILLed: its ${owned.length} processes were gone after ${Date.now() - killedAt} ms`);
      expect(survivors).toEqual([]);
      expect(run.output()).toMatch(
        /rpc-chaos: the harness process \d+ ended without stopping this: killed command server-1 \(pids /,
      );
    },
  );

  it(
    'a run that ends by itself stops the same servers and their daemons, removes their cgroups, ' +
      'leaves its guard nothing to do, and records the cgroups in result.json',
    async () => {
      const run = await startRun('3s');
      const { owned, ownerKey, stateDir } = await whileRunning(run);
      expect(cgroupsOf(ownerKey).length).toBeGreaterThanOrEqual(SERVERS);

      const code = await Promise.race([run.exited, sleep(READY_BOUND_MS).then(() => 'no exit within the bound')]);
      expect(code, run.output().slice(-3000)).toBe(0);
      const survivors = await survivorsAfter(REAP_BOUND_MS, () => [
        ...owned.filter(stillRunning).map((process) => `process ${process.pid} ${process.commandLine.slice(0, 100)}`),
        ...cgroupsOf(ownerKey).map((dir) => `cgroup ${dir}`),
        ...(existsSync(stateDir) ? [`state ${stateDir}`] : []),
      ]);
      expect(survivors).toEqual([]);
      expect(run.output()).not.toMatch(/ended without stopping this/);
      const result = JSON.parse(readFileSync(join(run.outDir, 'result.json'), 'utf8')) as {
        environment: { processContainment?: { mechanism: string; detail: string } };
      };
      expect(result.environment.processContainment).toEqual({
        mechanism: 'cgroup',
        detail: cgroupParentOf(cgroupsRoot()!),
      });
    },
  );
});
