/**
 * Cluster scenarios through the real CLI (`npm run scenario -- <name>`), one after the other so
 * that each has the machine's two cores to itself: quorum-leader-kill, node-pause and
 * rolling-restart pass with their unavailability and recovery gates, and quorum-leader-kill
 * loses no confirmed request and its worst client fails over in time; against a client that
 * reconnects only to its placed node (in process, on a cluster of its own) the worst-client gate
 * fails; the same scenario fails the loss check against a server that
 * acks before it replies (negative control), naming the lost calls; partition-minority passes;
 * and a runner SIGKILLed in the middle of partition-minority (nodes up, partition rules in
 * place) leaves no node, epmd, iptables chain, temp dir or owner state behind within 10 s.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import quorumLeaderKill from '../../../scenarios/quorum-leader-kill.ts';
import { placedNodeOnlyClient } from '../../../scenarios/test/negative-controls/index.ts';
import { runForTest } from '../../../scenarios/test/run-for-test.ts';
import { evaluateGates } from '../../gate/evaluate.ts';
import { parseGate } from '../../gate/parse-gate.ts';
import { markedProcesses, ownersRoot, processStartTime } from '../guard/leftovers.mjs';
import { PrivateRabbitCluster } from './private-rabbit-cluster.ts';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const REAP_BOUND_MS = 10_000;
const LOSS_CHECK = 'confirmed-requests-answered';
const ACK_BEFORE_REPLY_SCRIPT = join(repoRoot, 'scenarios/implementations/naive/ack-before-reply-server.py');
/** Acks each request on arrival and replies after 1 s of work: the server on the killed node dies holding about 10. */
const ACK_BEFORE_REPLY_SERVER = `/usr/bin/python3 ${ACK_BEFORE_REPLY_SCRIPT}`;
/** quorum-leader-kill's gate on the worst client: a client on the killed node must fail over to a live one. */
const WORST_CLIENT_GATE = 'during(kill-node).unavailability.max<8s';

interface ClusterResult {
  verdict: string;
  checks: Array<{ id: string; passed: boolean; actual: string }>;
  gates: Array<{ expression: string; passed: boolean }>;
  cluster: {
    startMs: number;
    nodeStates: Array<{ node: number; state: string; tMs: number }>;
    placements: Array<{ instance: string; node: number }>;
  };
  faultImpact: Array<{
    unavailabilityMs: number | null;
    recoveryMs: number | null;
    clients?: Array<{ client: string; unavailabilityMs: number | null }>;
    worstUnavailability?: { client: string; ms: number | null };
  }>;
  timeline: { events: Array<{ kind: string; process: string; detail?: string; tMs?: number }> };
}

function readResult(run: Run): ClusterResult {
  return JSON.parse(readFileSync(join(run.runDir, 'result.json'), 'utf8')) as ClusterResult;
}

function lossCheck(result: ClusterResult): { passed: boolean; actual: string } {
  const check = result.checks.find((each) => each.id === LOSS_CHECK);
  if (!check)
    throw new Error(`no ${LOSS_CHECK} check in the result: ${result.checks.map((each) => each.id).join(', ')}`);
  return check;
}

interface Run {
  readonly child: ChildProcess;
  readonly runDir: string;
  output(): string;
  readonly closed: Promise<number | null>;
}

const started: Run[] = [];
const tempDirs: string[] = [];

function startScenario(name: string, extraArgs: readonly string[] = []): Run {
  const parent = mkdtempSync(join(tmpdir(), 'rpc-chaos-cluster-test-'));
  tempDirs.push(parent);
  const runDir = join(parent, 'run');
  const child = spawn('npm', ['run', '--silent', 'scenario', '--', name, '--out', runDir, ...extraArgs], {
    cwd: repoRoot,
    env: { ...process.env, AMQP_URL: '', TOXIPROXY_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const closed = new Promise<number | null>((resolve) =>
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : null))),
  );
  const run = { child, runDir, output: () => output, closed };
  started.push(run);
  return run;
}

async function until<T>(what: string, run: Run, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (run.child.exitCode !== null) throw new Error(`the run ended before ${what}:\n${run.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms:\n${run.output().slice(-3000)}`);
    await sleep(200);
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The node process running cli.ts under npm (npm execs it, see package.json). */
function cliPidOf(run: Run): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = commandLine(Number(entry));
    // `npm run scenario` execs the launcher, which runs the compiled CLI in its own process.
    if (!cmd.startsWith('node harness/build/launch.mjs cli ')) continue;
    if (cmd.includes(run.runDir)) return Number(entry);
  }
  return undefined;
}

interface Leftover {
  readonly kind: string;
  readonly what: string;
  readonly marker?: string;
  readonly path?: string;
  readonly chain?: string;
}

function leftoversOf(stateDir: string): Leftover[] {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir)
    .filter((name) => name !== 'owner.json')
    .map((name) => JSON.parse(readFileSync(join(stateDir, name), 'utf8')) as Leftover);
}

function iptablesRules(): string {
  return execFileSync('iptables', ['-w', '5', '-S'], { encoding: 'utf8' });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

afterAll(() => {
  for (const run of started) {
    try {
      process.kill(-run.child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs a cluster scenario through the CLI to its end: exit 0, and its fault's unavailability and recovery within the
 * gates it prints.
 */
async function passingRun(
  name: string,
  unavailabilityGateMs: number,
  recoveryGateMs = 10_000,
): Promise<{ run: Run; result: ClusterResult }> {
  const run = startScenario(name);
  const code = await Promise.race([run.closed, sleep(200_000).then(() => 'timeout' as const)]);
  expect(code, run.output().slice(-4000)).toBe(0);
  const result = readResult(run);
  const impact = result.faultImpact[0];
  console.info(
    `${name}: cluster up in ${result.cluster.startMs} ms, ` +
      `unavailability ${impact?.unavailabilityMs} ms, recovery ${impact?.recoveryMs} ms`,
  );
  expect(result.verdict).toBe('pass');
  expect(impact?.unavailabilityMs).toBeLessThan(unavailabilityGateMs);
  expect(impact?.recoveryMs).toBeLessThan(recoveryGateMs);
  const gateSeconds = (unavailabilityGateMs / 1000).toFixed(2);
  expect(run.output()).toMatch(
    new RegExp(`unavailability<${unavailabilityGateMs / 1000}s\\s+\\S+ m?s vs ${gateSeconds} s`),
  );
  expect(run.output()).toMatch(
    new RegExp(`recovery_time<${recoveryGateMs / 1000}s\\s+\\S+ m?s vs ${(recoveryGateMs / 1000).toFixed(2)} s`),
  );
  return { run, result };
}

const leaderAtStart = (result: ClusterResult) =>
  result.cluster.nodeStates.find((state) => state.state === 'leader')?.node;

describe('cluster scenarios through the CLI', { timeout: 240_000 }, () => {
  it(
    "quorum-leader-kill passes: the leader's node is killed, " +
      'calls carry on, unavailability and recovery are within their gates',
    async () => {
      const { result } = await passingRun('quorum-leader-kill', 5_000);
      // Clients published with confirms (a quorum queue), and no confirmed request was lost.
      expect(lossCheck(result)).toMatchObject({
        passed: true,
        actual: expect.stringMatching(/confirmed [1-9]\d* .*lost 0;/),
      });
      // The killed node is the one that held the leader at the start.
      const killed = leaderAtStart(result);
      expect(result.cluster.nodeStates).toContainEqual(expect.objectContaining({ node: killed, state: 'down' }));
      // The client placed on the killed node failed over to a live one: the gate on the worst client passed
      // (measured 0-6 s; a client that waits for its node answers nothing for about 10 s).
      const impact = result.faultImpact[0];
      console.info(
        `quorum-leader-kill per client: ${impact?.clients?.map((c) => `${c.client} ${c.unavailabilityMs} ms`).join(', ')}`,
      );
      expect(impact?.worstUnavailability?.ms).toBeLessThan(8_000);
      expect(result.gates).toContainEqual(expect.objectContaining({ expression: WORST_CLIENT_GATE, passed: true }));
      const onKilled = result.cluster.placements.find(
        (placement) => placement.instance.startsWith('client-') && placement.node === killed,
      );
      expect(onKilled).toBeDefined();
      expect(result.timeline.events).toContainEqual(
        expect.objectContaining({
          kind: 'reconnect',
          process: onKilled?.instance,
          detail: expect.not.stringContaining(`node-${killed} (`),
        }),
      );
    },
  );

  it(
    'quorum-leader-kill FAILS its worst-client unavailability gate against a client ' +
      'that reconnects only to the node it is placed on',
    async () => {
      const cluster = await new PrivateRabbitCluster().withNodes(3).start();
      try {
        // 30 s of load: the node comes back about 10 s after the kill at 5 s, with load left to answer.
        const result = await runForTest(cluster, quorumLeaderKill, {
          client: placedNodeOnlyClient(),
          overrides: { durationMs: 30_000 },
        });
        const impact = result.faultImpact?.[0];
        const [gate] = evaluateGates(result, [parseGate(WORST_CLIENT_GATE)]);
        console.info(
          `quorum-leader-kill, placed-node-only client: ${gate?.detail}; per client ` +
            `${impact?.clients?.map((c) => `${c.client} ${c.unavailabilityMs} ms`).join(', ')}`,
        );
        expect(gate?.passed, gate?.detail).toBe(false);
        // The gate names the client placed on the killed node, down until that node was back (or for good).
        const killed = result.cluster?.nodeStates.find((state) => state.state === 'down')?.node;
        const onKilled = result.cluster?.placements.find(
          (placement) => placement.instance.startsWith('client-') && placement.node === killed,
        );
        expect(onKilled).toBeDefined();
        expect(gate?.detail).toContain(`${onKilled?.instance}`);
      } finally {
        await cluster.stop();
      }
    },
  );

  it(
    "node-pause passes: the leader's node is frozen past net_ticktime, " +
      'and once resumed it is back within the recovery gate',
    async () => {
      const { result } = await passingRun('node-pause', 12_000, 15_000);
      const paused = leaderAtStart(result);
      expect(result.cluster.nodeStates).toContainEqual(expect.objectContaining({ node: paused, state: 'paused' }));
      const details = result.timeline.events
        .filter((event) => event.process === `node-${paused}`)
        .map((event) => event.detail ?? '');
      expect(details).toContain(`SIGCONT node-${paused}`);
      // What the harness did after SIGCONT is on the timeline: the partition it saw and the restart of its app (and of
      // the node, if the app was not back in time), or that there was none.
      expect(
        details.some((detail) =>
          /reports a partition from .*restarting its rabbit app|reported no partition/.test(detail),
        ),
      ).toBe(true);
    },
  );

  it('rolling-restart passes: every node is stopped and started in turn while calls carry on', async () => {
    const { result } = await passingRun('rolling-restart', 5_000);
    for (const node of [1, 2, 3]) {
      expect(result.cluster.nodeStates).toContainEqual(expect.objectContaining({ node, state: 'down' }));
      expect(result.timeline.events).toContainEqual(
        expect.objectContaining({ kind: 'restart', process: `node-${node}` }),
      );
    }
  });

  it(
    'quorum-leader-kill FAILS the loss check against a server ' +
      'that acks before it replies, naming the calls its server lost',
    async () => {
      // 20 s of load is enough to lose what the killed node's server held at 5 s; the run may also
      // fail recovery (the node can take longer to come back than the load lasts): not looked at.
      const run = startScenario('quorum-leader-kill', ['--server-cmd', ACK_BEFORE_REPLY_SERVER, '--duration', '20s']);
      const code = await Promise.race([run.closed, sleep(200_000).then(() => 'timeout' as const)]);
      expect(code, run.output().slice(-4000)).toBe(1);
      const loss = lossCheck(readResult(run));
      console.info(`quorum-leader-kill against ack-before-reply-server.py: ${loss.actual}`);
      expect(loss.passed).toBe(false);
      const named = [...loss.actual.matchAll(/([0-9a-f-]{36}\.\d+) \(acked by (server-\d) before any reply\)/g)].map(
        (match) => ({ id: match[1]!, server: match[2]! }),
      );
      expect(named.length, loss.actual).toBeGreaterThan(0);
      // The server says so itself: each named call is one it held when its connection died.
      for (const { id, server } of named) {
        const log = readFileSync(join(run.runDir, `${server}.log`), 'utf8');
        expect(log, `${server}.log`).toMatch(
          new RegExp(`connection lost during the work of \\d+ requests: .*${id.replace(/\./g, '\\.')}`),
        );
      }
      expect(run.output()).toContain('FAIL  No request the broker confirmed was lost');
    },
  );

  it(
    "partition-minority passes: the leader's node is cut off and pauses itself, " +
      'the majority keeps answering, no confirmed request is lost',
    async () => {
      const run = startScenario('partition-minority');
      const code = await Promise.race([run.closed, sleep(200_000).then(() => 'timeout' as const)]);
      expect(code, run.output().slice(-4000)).toBe(0);
      const result = readResult(run);
      const impact = result.faultImpact[0];
      console.info(
        `partition-minority: cluster up in ${result.cluster.startMs} ms, unavailability ` +
          `${impact?.unavailabilityMs} ms, recovery ${impact?.recoveryMs} ms; ${lossCheck(result).actual}`,
      );
      expect(lossCheck(result)).toMatchObject({
        passed: true,
        actual: expect.stringMatching(/confirmed [1-9]\d* .*lost 0;/),
      });
      const leader = result.cluster.nodeStates.find((state) => state.state === 'leader')?.node;
      expect(result.cluster.nodeStates).toContainEqual(expect.objectContaining({ node: leader, state: 'partitioned' }));
      // The majority notices the lost leader after net_ticktime (5 s), then elects: the scenario gates at 12 s.
      expect(impact?.unavailabilityMs).toBeLessThan(12_000);
      expect(impact?.recoveryMs).toBeLessThan(10_000);
    },
  );

  it(
    'a runner SIGKILLed during a partition leaves no node, ' + 'epmd, iptables chain, temp dir or state within 10 s',
    async () => {
      const run = startScenario('partition-minority');
      const cliPid = await until('the runner process', run, () => cliPidOf(run), 60_000);
      const stateDir = join(ownersRoot(), `${cliPid}-${processStartTime(cliPid)}`);
      // Wait until the partition is in force: the chain of this run holds DROP rules.
      await until(
        'the partition rules',
        run,
        () => (new RegExp(`-A RPCC-${cliPid}-\\d+ .*-j DROP`).test(iptablesRules()) ? true : undefined),
        150_000,
      );
      const owned = leftoversOf(stateDir);
      const markers = owned.flatMap((leftover) => (leftover.marker ? [leftover.marker] : []));
      const dirs = owned.flatMap((leftover) => (leftover.kind === 'dir' && leftover.path ? [leftover.path] : []));
      const chains = owned.flatMap((leftover) =>
        leftover.kind === 'iptables-chain' && leftover.chain ? [leftover.chain] : [],
      );
      expect(owned.filter((leftover) => leftover.what.startsWith('rabbitmq cluster node '))).toHaveLength(3);
      expect(chains).toHaveLength(1);
      expect(dirs.some((dir) => dir.includes('rpc-chaos-cluster-') && existsSync(dir))).toBe(true);
      const running = markers.flatMap(markedProcesses);
      expect(running.filter((pid) => commandLine(pid).includes('beam.smp')).length).toBeGreaterThanOrEqual(3);

      process.kill(cliPid, 'SIGKILL');
      const killedAt = Date.now();
      const deadline = killedAt + REAP_BOUND_MS;
      let survivors: string[] = [];
      do {
        const rules = iptablesRules();
        survivors = [
          ...markers.flatMap(markedProcesses).map((pid) => `process ${pid} ${commandLine(pid).slice(0, 80)}`),
          ...chains.filter((chain) => rules.includes(chain)).map((chain) => `iptables chain ${chain}`),
          ...dirs.filter((dir) => existsSync(dir)).map((dir) => `dir ${dir}`),
          ...(existsSync(stateDir) ? [`state ${stateDir}`] : []),
        ];
        if (survivors.length === 0) break;
        await sleep(200);
      } while (Date.now() < deadline);
      const outcome =
        survivors.length === 0 ? `everything gone after ${Date.now() - killedAt} ms` : `left ${survivors.join(', ')}`;
      console.info(`runner SIGKILLed mid-partition: ${outcome}`);
      expect(survivors).toEqual([]);
    },
  );
});
