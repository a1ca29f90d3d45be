/**
 * Signals and deaths through the real chain a user runs: `npm run scenario`, which is npm and
 * the node process it execs (package.json), in a real pseudo-terminal (util-linux `script`)
 * where it matters. A Ctrl-C, a SIGTERM or a closed
 * terminal stops the run and still writes result.json; a SIGKILL leaves nothing running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { markedProcesses, ownersRoot, processStartTime, readOwner } from '../env/guard/leftovers.mjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The machine is shared and slow at times: generous bounds, except where the bound is the point. */
const EXIT_BOUND_MS = 120_000;
const REAP_BOUND_MS = 10_000;
const SHOW_CURSOR = '\u001b[?25h';
const HIDE_CURSOR = '\u001b[?25l';

interface Chain {
  readonly child: ChildProcess;
  readonly runDir: string;
  output(): string;
  /** Exit status, once the chain and everything holding its output have finished. */
  readonly closed: Promise<number | null>;
}

/**
 * `npm run scenario -- <args>`, in a pseudo-terminal (`script`, so Ctrl-C is a real terminal
 * interrupt to the whole foreground group) or with plain pipes. Own process group, so a test
 * failure can still kill what it started.
 */
function startChain(
  args: string[],
  options: { pty: boolean; amqpUrl?: string; env?: Record<string, string>; runDir?: string },
): Chain {
  const runDir = options.runDir ?? join(mkdtempSync(join(tmpdir(), 'rpc-chaos-signals-')), 'run');
  const argv = ['run', '--silent', 'scenario', '--', ...args, '--out', runDir];
  const env = {
    ...process.env,
    AMQP_URL: options.amqpUrl ?? '',
    TOXIPROXY_URL: '',
    TERM: 'xterm-256color',
    SHELL: '/bin/sh',
    ...options.env,
  };
  const child = options.pty
    ? spawn(
        'script',
        ['--quiet', '--flush', '--return', '--command', `npm ${argv.map(shellQuoted).join(' ')}`, '/dev/null'],
        { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true },
      )
    : spawn('npm', argv, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const closed = new Promise<number | null>((resolve) =>
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : null))),
  );
  return { child, runDir, output: () => output, closed };
}

/** One word for `sh -c`, whatever it holds. */
function shellQuoted(arg: string): string {
  return /^[\w./:=@-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

async function waitForOutput(chain: Chain, pattern: RegExp, timeoutMs = EXIT_BOUND_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(chain.output())) {
    if (chain.child.exitCode !== null)
      throw new Error(`the run ended before ${pattern}:\n${chain.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${chain.output().slice(-3000)}`);
    await sleep(100);
  }
}

async function exitCodeWithin(chain: Chain, timeoutMs: number): Promise<number | null> {
  const outcome = await Promise.race([chain.closed, sleep(timeoutMs).then(() => 'timeout' as const)]);
  if (outcome === 'timeout')
    throw new Error(`the run did not end within ${timeoutMs} ms:\n${chain.output().slice(-3000)}`);
  return outcome;
}

/** Pids of all descendants of a process, from /proc. */
function descendants(rootPid: number): number[] {
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
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * The chain's processes by role: npm (when started without `script`) and the node process that
 * runs the compiled cli.
 */
function chainProcesses(chain: Chain): { npm: number; node: number } {
  const pids = [chain.child.pid!, ...descendants(chain.child.pid!)];
  const find = (test: (cmd: string) => boolean, role: string) => {
    const pid = pids.find((candidate) => test(commandLine(candidate)));
    if (pid === undefined)
      throw new Error(
        `no ${role} process in the chain: ${pids.map((p) => `${p} ${commandLine(p).slice(0, 80)}`).join('; ')}`,
      );
    return pid;
  };
  return {
    npm: chain.child.pid!,
    node: find((cmd) => cmd.startsWith('node harness/build/launch.mjs cli '), 'node (launch.mjs cli)'),
  };
}

/** The state directory of a harness process: what it owns, for the guard and the next run. */
function stateDirOf(pid: number, root = ownersRoot()): string {
  return join(root, `${pid}-${processStartTime(pid)}`);
}

function leftoversOf(stateDir: string): Array<{ kind: string; what: string; marker?: string; path?: string }> {
  return readdirSync(stateDir)
    .filter((name) => name !== 'owner.json')
    .map(
      (name) =>
        JSON.parse(readFileSync(join(stateDir, name), 'utf8')) as {
          kind: string;
          what: string;
          marker?: string;
          path?: string;
        },
    );
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Polls until nothing is left, or returns what still is after the bound. */
async function survivorsAfter(boundMs: number, check: () => Promise<string[]> | string[]): Promise<string[]> {
  const deadline = Date.now() + boundMs;
  let survivors = await check();
  while (survivors.length > 0 && Date.now() < deadline) {
    await sleep(200);
    survivors = await check();
  }
  return survivors;
}

/** The run section of the chain's result.json, with the verdict beside it. */
function expectResult(chain: Chain): { interrupted: boolean; verdict: string } {
  const file = join(chain.runDir, 'result.json');
  expect(existsSync(file), `no result.json in ${chain.runDir}; the run printed:\n${chain.output().slice(-3000)}`).toBe(
    true,
  );
  const result = JSON.parse(readFileSync(file, 'utf8')) as { run: { interrupted: boolean }; verdict: string };
  return { ...result.run, verdict: result.verdict };
}

/** An interrupted run is neither a pass nor a fail, in result.json, junit.xml and summary.md alike. */
function expectInterruptedVerdict(chain: Chain): void {
  expect(expectResult(chain)).toMatchObject({ interrupted: true, verdict: 'interrupted' });
  expect(readFileSync(join(chain.runDir, 'junit.xml'), 'utf8')).toMatch(
    /<testcase name="run completed"[^>]*>\s*<error message="the run was interrupted/,
  );
  expect(readFileSync(join(chain.runDir, 'summary.md'), 'utf8')).toMatch(
    /^## rpc-chaos: duplicate-reply — ⏹️ INTERRUPTED/,
  );
}

/** If the progress line hid the cursor, it was shown again afterwards. */
function expectCursorShown(output: string): void {
  const hidden = output.lastIndexOf(HIDE_CURSOR);
  if (hidden >= 0)
    expect(output.lastIndexOf(SHOW_CURSOR), 'the cursor was hidden and never shown again').toBeGreaterThan(hidden);
}

function killGroup(chain: Chain): void {
  try {
    process.kill(-chain.child.pid!, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The tutorial's Python server, started with SIGTERM ignored (an ignored signal stays ignored across exec). */
const PYTHON_SERVER = join(repoRoot, 'scenarios/implementations/python/rpc_server.py');
const SERVER_IGNORING_SIGTERM = `trap '' TERM; exec /usr/bin/python3 ${PYTHON_SERVER}`;

/** A load long enough that every interrupt lands before it ends. */
const LONG_RUN = ['duplicate-reply', '--duration', '60s'];

let node: StartedPrivateRabbitNode;
const started: Chain[] = [];

/** A counting semaphore: at most `slots` bodies at once. */
function limiter(slots: number) {
  let free = slots;
  const waiting: Array<() => void> = [];
  return async <T>(body: () => Promise<T>): Promise<T> => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await body();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/** Runs on the shared node take turns (one rpc_queue); runs with their own node, two at a time. */
const onSharedBroker = limiter(1);
const onOwnBroker = limiter(2);

function track(chain: Chain): Chain {
  started.push(chain);
  return chain;
}

describe('npm run scenario under signals', { timeout: 600_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().withStartTimeout(90_000).start();
  }, 120_000);

  afterAll(async () => {
    for (const chain of started) killGroup(chain);
    await node?.stop();
  });

  // Random moments, as a user would press Ctrl-C: during worker start-up or during the load.
  const moments = Array.from({ length: 3 }, (_, i) => ({
    after: i % 2 === 0 ? 'starting \\d+ server' : 'running',
    delayMs: Math.round(Math.random() * 3_000),
  }));
  for (const [index, moment] of moments.entries()) {
    it.concurrent(
      `one Ctrl-C in a terminal (${index + 1}: ${moment.delayMs} ms after "${moment.after}") ` +
        'writes result.json, exits 130 and shows the cursor again',
      () =>
        onSharedBroker(async () => {
          const chain = track(startChain(LONG_RUN, { pty: true, amqpUrl: node.getAmqpUrl() }));
          await waitForOutput(chain, new RegExp(moment.after));
          await sleep(moment.delayMs);
          chain.child.stdin?.write('\u0003');
          const code = await exitCodeWithin(chain, EXIT_BOUND_MS);
          expect(chain.output()).toMatch(/interrupted \(SIGINT\): stopping load, writing what was measured/);
          expect(chain.output()).not.toMatch(/abandoning/);
          expectInterruptedVerdict(chain);
          expect(chain.output().replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')).toMatch(
            /duplicate-reply +INTERRUPTED +partial run/,
          );
          expect(code).toBe(130);
          expectCursorShown(chain.output());
        }),
    );
  }

  it.concurrent('two Ctrl-Cs within a second are one request: the run still writes result.json', () =>
    onSharedBroker(async () => {
      const chain = track(startChain(LONG_RUN, { pty: true, amqpUrl: node.getAmqpUrl() }));
      await waitForOutput(chain, /running/);
      await sleep(500);
      chain.child.stdin?.write('\u0003');
      await sleep(300);
      chain.child.stdin?.write('\u0003');
      const code = await exitCodeWithin(chain, EXIT_BOUND_MS);
      expect(chain.output()).not.toMatch(/abandoning/);
      expectInterruptedVerdict(chain);
      expect(code).toBe(130);
      expect(chain.output()).toContain(SHOW_CURSOR);
    }));

  it.concurrent('a second Ctrl-C after the repeat window kills at once, saying what it abandons', () =>
    onOwnBroker(async () => {
      // Servers that ignore SIGTERM hold the graceful stop for the runner's stop timeout (10 s), so
      // a second press 1.5 s after the first comes after the 1 s repeat window and while the stop
      // is still running.
      const chain = track(startChain([...LONG_RUN, '--server-cmd', SERVER_IGNORING_SIGTERM], { pty: true }));
      await waitForOutput(chain, /running/);
      const { node: cliPid } = chainProcesses(chain);
      const stateDir = stateDirOf(cliPid);
      await sleep(500);
      const firstPressAt = Date.now();
      chain.child.stdin?.write('\u0003');
      await waitForOutput(chain, /interrupted \(SIGINT\)/, 10_000);
      await sleep(Math.max(0, firstPressAt + 1_500 - Date.now()));
      chain.child.stdin?.write('\u0003');
      const code = await exitCodeWithin(chain, 15_000);
      expect(chain.output()).toMatch(/SIGINT again; abandoning:/);
      expect(chain.output()).toMatch(/- the results: result\.json and the reports in .* are not written/);
      expect(code).toBe(130);
      expect(chain.output()).toContain(SHOW_CURSOR);
      // Killing at once still leaves nothing behind.
      expect(await survivorsAfter(REAP_BOUND_MS, () => (existsSync(stateDir) ? [stateDir] : []))).toEqual([]);
    }));

  for (const { target, signal } of [
    { target: 'npm', signal: 'SIGTERM' },
    { target: 'node', signal: 'SIGHUP' },
  ] as const) {
    it.concurrent(`${signal} to ${target} stops the run and writes result.json`, () =>
      onSharedBroker(async () => {
        const chain = track(startChain(LONG_RUN, { pty: false, amqpUrl: node.getAmqpUrl() }));
        await waitForOutput(chain, /running/);
        await sleep(1_000);
        process.kill(chainProcesses(chain)[target], signal);
        await exitCodeWithin(chain, EXIT_BOUND_MS);
        expect(chain.output()).toMatch(new RegExp(`interrupted \\(${signal}\\)`));
        expectInterruptedVerdict(chain);
      }));
  }

  it.concurrent(
    'a SIGKILLed runner leaves nothing running: its guard kills the node, its epmd and the workers, ' +
      'frees the ports and removes the temp dir within 10 s',
    () =>
      onOwnBroker(async () => {
        // A temp dir of its own, so the owner state lands where only this test's runs look: any
        // harness run reaps dead runs' leftovers, and other test files start runs all the time.
        const isolated = mkdtempSync(join(tmpdir(), 'rpc-chaos-guard-test-'));
        chmodSync(isolated, 0o755); // the private node runs as the rabbitmq user and keeps its data dir in here
        const env = { TMPDIR: isolated };
        const chain = track(startChain(LONG_RUN, { pty: false, env }));
        await waitForOutput(chain, /running/);
        const { node: cliPid } = chainProcesses(chain);
        const stateDir = stateDirOf(cliPid, join(isolated, 'rpc-chaos-owners'));
        const owned = leftoversOf(stateDir);
        const broker = owned.find(
          (leftover) => leftover.kind === 'processes' && leftover.what.startsWith('rabbitmq node '),
        );
        const dataDir = owned.find((leftover) => leftover.kind === 'dir')?.path;
        const ports = [...(broker?.what.matchAll(/(?:amqp|dist|epmd) (\d+)/g) ?? [])].map((match) => Number(match[1]));
        const markers = owned.flatMap((leftover) => (leftover.marker ? [leftover.marker] : []));
        const guardPid = readOwner(stateDir)?.guardPid;
        expect(ports).toHaveLength(3);
        expect(dataDir && existsSync(dataDir)).toBe(true);
        expect(markers.flatMap(markedProcesses).length).toBeGreaterThanOrEqual(5);

        process.kill(cliPid, 'SIGKILL');
        const killedAt = Date.now();
        const survivors = await survivorsAfter(REAP_BOUND_MS, async () => [
          ...markers.flatMap(markedProcesses).map((pid) => `process ${pid} ${commandLine(pid).slice(0, 80)}`),
          ...(guardPid !== undefined && processStartTime(guardPid) !== undefined ? [`guard ${guardPid}`] : []),
          ...(await Promise.all(ports.map(async (port) => ((await portIsFree(port)) ? '' : `port ${port}`)))).filter(
            Boolean,
          ),
          ...(dataDir && existsSync(dataDir) ? [`dir ${dataDir}`] : []),
          ...(existsSync(stateDir) ? [`state ${stateDir}`] : []),
        ]);
        console.info(`runner SIGKILLed: everything it owned was gone after ${Date.now() - killedAt} ms`);
        expect(survivors).toEqual([]);
        await exitCodeWithin(chain, 10_000);
        expect(chain.output()).toMatch(
          /rpc-chaos: the harness process \d+ ended without stopping this: killed rabbitmq node .*\(pids /,
        );
      }),
  );

  it.concurrent(
    "a run into the folder of a SIGKILLed run removes the dead run's files, names them, " +
      'and reports only its own trace',
    () =>
      onSharedBroker(async () => {
        const killed = track(startChain(LONG_RUN, { pty: false, amqpUrl: node.getAmqpUrl() }));
        await waitForOutput(killed, /running/);
        // Its span files exist from the workers' start; wait until they hold spans.
        const spanFiles = () =>
          readdirSync(killed.runDir).filter(
            (name) => /^spans-.*\.jsonl$/.test(name) && readFileSync(join(killed.runDir, name), 'utf8').length > 0,
          );
        expect(await survivorsAfter(30_000, () => (spanFiles().length >= 2 ? [] : ['no span files yet']))).toEqual([]);
        const leftBehind = spanFiles();
        const killedPid = chainProcesses(killed).node;
        process.kill(killedPid, 'SIGKILL');
        await exitCodeWithin(killed, 30_000);
        expect(existsSync(join(killed.runDir, '.rpc-chaos.lock'))).toBe(true);

        const next = track(
          startChain(['duplicate-reply'], { pty: false, amqpUrl: node.getAmqpUrl(), runDir: killed.runDir }),
        );
        expect(await exitCodeWithin(next, EXIT_BOUND_MS)).toBe(0);
        const note =
          /took over a stale lock in .*: process (\d+) .* is no longer running; removed what it left: (.*)/.exec(
            next.output(),
          );
        expect(note, next.output().slice(-3000)).not.toBeNull();
        expect(Number(note![1])).toBe(killedPid);
        for (const name of leftBehind) expect(note![2]).toContain(name);
        const result = JSON.parse(readFileSync(join(killed.runDir, 'result.json'), 'utf8')) as {
          run: { startedAt: string };
          traces: { duplicateReplyTrace?: Array<{ startMs: number; attributes: Record<string, unknown> }> };
        };
        const trace = result.traces.duplicateReplyTrace ?? [];
        expect(trace.length).toBeGreaterThan(0);
        // The killed run's spans started before this run did: they would show at negative times.
        expect(Math.min(...trace.map((span) => span.startMs))).toBeGreaterThanOrEqual(0);
      }),
  );

  it.concurrent(
    'what a runner killed together with its guard left behind is removed by the next run, ' + 'which says so',
    () =>
      onOwnBroker(async () => {
        // A temp dir of its own, so the owner state lands where only this test's runs look: any
        // harness run reaps dead runs' leftovers, and other test files start runs all the time.
        const isolated = mkdtempSync(join(tmpdir(), 'rpc-chaos-guard-test-'));
        chmodSync(isolated, 0o755); // the private node runs as the rabbitmq user and keeps its data dir in here
        const env = { TMPDIR: isolated };
        const chain = track(startChain(LONG_RUN, { pty: false, env }));
        await waitForOutput(chain, /running/);
        const { node: cliPid } = chainProcesses(chain);
        const stateDir = stateDirOf(cliPid, join(isolated, 'rpc-chaos-owners'));
        const owned = leftoversOf(stateDir);
        const markers = owned.flatMap((leftover) => (leftover.marker ? [leftover.marker] : []));
        const dataDir = owned.find((leftover) => leftover.kind === 'dir')?.path;
        const guardPid = readOwner(stateDir)?.guardPid;
        expect(guardPid).toBeGreaterThan(0);

        // As a CI job kill or the OOM killer of a cgroup would: the whole chain and the guard at once.
        killGroup(chain);
        process.kill(guardPid!, 'SIGKILL');
        await exitCodeWithin(chain, 10_000);
        await sleep(1_000);
        // Workers exit by themselves when the IPC channel closes; the node was not told anything.
        expect(markers.flatMap(markedProcesses).length).toBeGreaterThan(0);
        expect(existsSync(stateDir)).toBe(true);

        const next = await onSharedBroker(async () => {
          const run = track(startChain(['baseline', '--calls', '5'], { pty: false, amqpUrl: node.getAmqpUrl(), env }));
          await exitCodeWithin(run, EXIT_BOUND_MS);
          return run;
        });
        // The first harness process to start a guard reaps it: the next run, or another test's run.
        const allOutput = started.map((chain) => chain.output()).join('\n');
        expect(next.output()).toMatch(/\[baseline\] running/);
        expect(allOutput).toMatch(
          new RegExp(`rpc-chaos: a dead run \\(pid ${cliPid}, .*\\) left this behind: killed rabbitmq node .*\\(pids `),
        );
        expect(allOutput).toMatch(new RegExp(`left this behind: removed rabbitmq node directory ${dataDir}`));
        expect(markers.flatMap(markedProcesses)).toEqual([]);
        expect(existsSync(stateDir)).toBe(false);
        expect(dataDir && existsSync(dataDir)).toBe(false);
        rmSync(isolated, { recursive: true, force: true });
      }),
  );
});

afterAll(() => {
  for (const chain of started) rmSync(join(chain.runDir, '..'), { recursive: true, force: true });
});
