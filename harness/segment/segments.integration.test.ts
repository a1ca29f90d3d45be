/**
 * Four execution segments on one machine as four hosts: each a process tree of its own,
 * bound to its own loopback address (127.0.0.11 .. 127.0.0.14), against one private broker
 * and one servers run, merged afterwards and compared with a whole run of the same plan.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { mergeHistograms } from '../observe/histogram.ts';
import { summarize } from '../observe/latency-summary.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { DEFAULT_WARMUP_CALLS } from '../model/warmup.ts';

const CLI = new URL('../cli/cli.ts', import.meta.url).pathname;
const REPORT = new URL('../cli/report-command.ts', import.meta.url).pathname;
const SCENARIO = new URL('./test/steady-duplicate-reply.ts', import.meta.url).pathname;
const PLAN = [
  SCENARIO,
  '--seed',
  '11',
  '--calls',
  '400',
  '--rate',
  '80',
  '--no-tracing',
  '--broker',
  'url',
  '--proxy',
  'builtin',
];
const ADDRESSES = ['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14'];

interface Exited {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A process tree of its own (its own process group), killed whole if it overstays. */
function start(
  script: string,
  args: readonly string[],
  amqpUrl: string,
  timeoutMs = 240_000,
): { child: ChildProcess; exited: Promise<Exited>; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, AMQP_URL: amqpUrl, TOXIPROXY_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Exited>((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, exited, stderr: () => stderr };
}

async function until(condition: () => boolean, boundMs: number, what: string): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const read = (dir: string): ScenarioResult =>
  JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ScenarioResult;

describe('execution segments on one machine', { timeout: 480_000 }, () => {
  let node: StartedPrivateRabbitNode;
  let dir: string;
  let whole: ScenarioResult;
  let merged: ScenarioResult;
  const sourceAddresses = new Set<string>();
  const segmentDirs = [1, 2, 3, 4].map((k) => `segment-${k}`);

  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
    dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-segments-'));
    const amqpUrl = node.getAmqpUrl();

    const wholeRun = await start(CLI, [...PLAN, '--out', join(dir, 'whole')], amqpUrl).exited;
    if (wholeRun.code !== 0)
      throw new Error(`the whole run failed (${wholeRun.code}):\n${wholeRun.stdout}\n${wholeRun.stderr}`);
    whole = read(join(dir, 'whole'));

    // The servers run first: the segments start only once it serves, all at the agreed time.
    const startAt = new Date(Date.now() + 60_000).toISOString();
    const servers = start(
      CLI,
      [...PLAN, '--role', 'servers', '--segments', '4', '--start-at', startAt, '--out', join(dir, 'servers')],
      amqpUrl,
    );
    await until(() => servers.stderr().includes('] running'), 60_000, 'the servers run to serve');
    const segments = ADDRESSES.map((address, i) =>
      start(
        CLI,
        [
          ...PLAN,
          '--segment',
          `${i + 1}/4`,
          '--start-at',
          startAt,
          '--local-address',
          address,
          '--out',
          join(dir, segmentDirs[i]!),
        ],
        amqpUrl,
      ),
    );
    // Who connects to the broker, as the kernel sees it, while the segments run.
    const port = String(node.getAmqpPort());
    const watching = setInterval(() => {
      const lines = execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
      for (const line of lines.split('\n')) {
        const local = line.trim().split(/\s+/)[2];
        if (local) sourceAddresses.add(local.slice(0, local.lastIndexOf(':')));
      }
    }, 500);
    const ended = await Promise.all([servers.exited, ...segments.map((s) => s.exited)]);
    clearInterval(watching);
    for (const [i, run] of ended.entries()) {
      if (run.code !== 0)
        throw new Error(
          `${i === 0 ? 'servers' : segmentDirs[i - 1]} exited ${run.code}:\n${run.stdout}\n${run.stderr}`,
        );
    }

    const merge = await start(
      REPORT,
      ['--merge', ...segmentDirs.map((d) => join(dir, d)), join(dir, 'servers'), '--out', join(dir, 'merged')],
      amqpUrl,
    ).exited;
    if (merge.code !== 0) throw new Error(`the merge exited ${merge.code}:\n${merge.stdout}\n${merge.stderr}`);
    merged = read(join(dir, 'merged'));
  }, 480_000);

  afterAll(async () => {
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('makes exactly the calls of the whole run, answered as often', () => {
    expect(whole.counters.sent).toBe(400);
    expect(merged.counters.sent).toBe(whole.counters.sent);
    expect(merged.counters.answered).toBe(whole.counters.answered);
    expect(merged.counters.correct).toBe(whole.counters.correct);
    expect(merged.segments?.participants.filter((p) => p.role === 'clients').map((p) => p.sent)).toEqual([
      100, 100, 100, 100,
    ]);
  });

  it("merges the segments' latency exactly: the percentiles of all their samples together", () => {
    const added = summarize(
      mergeHistograms(segmentDirs.map((segment) => read(join(dir, segment)).latency.encodedHistogram)),
    );
    expect(merged.latency.summary).toEqual(added);
    expect(merged.latency.summary.count).toBe(merged.counters.answered);
    // Against the whole run of the same plan the percentiles are printed, not asserted: four
    // segments put twelve processes on this machine's two cores where the whole run puts five,
    // and under the suite's own load even p50 differed by 26 % (README, "Load from many
    // machines"). What holds everywhere: the servers run's 60 ms toxic delayed most calls of
    // the segments as it delayed the whole run's.
    console.log(
      `whole run p50 ${whole.latency.summary.p50} ms p99 ${whole.latency.summary.p99} ms; ` +
        `merged p50 ${merged.latency.summary.p50} ms p99 ${merged.latency.summary.p99} ms`,
    );
    expect(whole.latency.summary.p50).toBeGreaterThanOrEqual(60);
    expect(merged.latency.summary.p50).toBeGreaterThanOrEqual(60);
  });

  it('uses no correlation id twice', () => {
    const check = merged.checks.find((c) => c.id === 'call-ids-unique-across-segments');
    expect(check?.passed, check?.actual).toBe(true);
    // The 400 calls of the whole run, and the warm-up calls of each segment's client: requests published too.
    expect(check?.actual).toContain(`${400 + ADDRESSES.length * DEFAULT_WARMUP_CALLS} distinct correlation ids`);
  });

  it('fires each fault once, in the servers run only, and passes the duplicate-reply checks on the merged run', () => {
    expect(merged.faults.map((f) => f.fired)).toEqual([true, true, true]);
    expect(merged.counters.serverKills).toBe(2);
    expect(
      merged.timeline.events.filter((e) => e.kind === 'fault-start' && e.detail?.includes('latency')),
    ).toHaveLength(1);
    for (const segment of segmentDirs) expect(read(join(dir, segment)).faults).toEqual([]);
    for (const id of ['duplicates-discarded', 'requests-redelivered', 'requests-handled-match-sent', 'faults-fired']) {
      const check = merged.checks.find((c) => c.id === id);
      expect(check?.passed, `${id}: ${check?.actual}`).toBe(true);
    }
    expect(merged.verdict).toBe('pass');
  });

  it('connects each segment from its own loopback address', () => {
    for (const address of ADDRESSES) expect([...sourceAddresses]).toContain(address);
  });

  it('refuses a missing segment, a segment given twice, and a segment of another seed', async () => {
    const merge = (dirs: string[]) =>
      start(REPORT, ['--merge', ...dirs.map((d) => join(dir, d)), '--out', join(dir, 'refused')], node.getAmqpUrl())
        .exited;
    cpSync(join(dir, 'segment-2'), join(dir, 'segment-2-again'), { recursive: true });
    cpSync(join(dir, 'segment-3'), join(dir, 'segment-3-other-seed'), { recursive: true });
    const record = JSON.parse(readFileSync(join(dir, 'segment-3-other-seed', 'segment.json'), 'utf8')) as {
      identity: { seed: number };
    };
    record.identity.seed = 12;
    writeFileSync(join(dir, 'segment-3-other-seed', 'segment.json'), JSON.stringify(record));

    const [missing, twice, otherSeed] = await Promise.all([
      merge(['segment-1', 'segment-2', 'segment-4', 'servers']),
      merge(['segment-1', 'segment-2', 'segment-2-again', 'segment-3', 'segment-4', 'servers']),
      merge(['segment-1', 'segment-2', 'segment-3-other-seed', 'segment-4', 'servers']),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('segment 3/4 missing');
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('segment 2/4 is given 2 times');
    expect(otherSeed.code).toBe(2);
    expect(otherSeed.stderr).toMatch(/the seed differs \(11 in .*; 12 in .*segment-3-other-seed\)/);
  });
});
