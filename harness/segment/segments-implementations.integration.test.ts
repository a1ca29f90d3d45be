/**
 * A segmented run whose participants run different implementations: the servers run an
 * external server (--server-cmd, the Node reference server), segment 1 the built-in client
 * and segment 2 an external client (--client-cmd, the Node reference driver), as during a
 * rolling upgrade of half the machines. The merge takes them as one run and names what
 * each participant ran.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { tsCommand } from '../impl/command/test/run-cli.ts';
import type { ScenarioResult } from '../model/result-schema.ts';

const CLI = new URL('../cli/cli.ts', import.meta.url).pathname;
const REPORT = new URL('../cli/report-command.ts', import.meta.url).pathname;
const SERVER_CMD = tsCommand('scenarios/implementations/node/rpc-server.ts');
const CLIENT_CMD = tsCommand('scenarios/implementations/node/rpc-client-driver.ts');
const PLAN = [
  'baseline',
  '--seed',
  '5',
  '--calls',
  '60',
  // A closed loop: an external client needs a distinct n per call in flight, which the open loop's bound exceeds.
  '--concurrency',
  '4',
  '--servers',
  '1',
  '--clients',
  '1',
  '--no-tracing',
  '--broker',
  'url',
  '--proxy',
  'builtin',
];

interface Exited {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A process tree of its own (its own process group), killed whole if it overstays. */
function start(script: string, args: readonly string[], amqpUrl: string, timeoutMs = 180_000) {
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
    const timer = setTimeout(() => kill(), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  return { exited, stderr: () => stderr, kill };
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

describe('a segmented run with external implementations and a mixed fleet of clients', { timeout: 300_000 }, () => {
  let node: StartedPrivateRabbitNode;
  let dir: string;
  let merged: ScenarioResult;
  let mergeStdout: string;

  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
    dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-segments-impl-'));
    const amqpUrl = node.getAmqpUrl();
    const startAt = new Date(Date.now() + 45_000).toISOString();
    const at = ['--segments', '2', '--start-at', startAt];
    const servers = start(
      CLI,
      [...PLAN, '--role', 'servers', ...at, '--server-cmd', SERVER_CMD, '--out', join(dir, 'servers')],
      amqpUrl,
    );
    await until(() => servers.stderr().includes('] running'), 60_000, 'the servers run to serve');
    const timing = ['--start-at', startAt];
    const builtin = start(CLI, [...PLAN, '--segment', '1/2', ...timing, '--out', join(dir, 'segment-1')], amqpUrl);
    const external = start(
      CLI,
      [...PLAN, '--segment', '2/2', ...timing, '--client-cmd', CLIENT_CMD, '--out', join(dir, 'segment-2')],
      amqpUrl,
    );
    // A failed segment never tells the servers run it is done: the servers run is then stopped here.
    const segments = await Promise.all([builtin.exited, external.exited]);
    const failed = segments.flatMap((run, i) =>
      run.code === 0 ? [] : [`segment-${i + 1} exited ${run.code}:\n${run.stdout}\n${run.stderr}`],
    );
    if (failed.length > 0) {
      servers.kill();
      throw new Error(failed.join('\n'));
    }
    const serversRun = await servers.exited;
    if (serversRun.code !== 0)
      throw new Error(`servers exited ${serversRun.code}:\n${serversRun.stdout}\n${serversRun.stderr}`);
    const merge = await start(
      REPORT,
      ['--merge', join(dir, 'segment-1'), join(dir, 'segment-2'), join(dir, 'servers'), '--out', join(dir, 'merged')],
      amqpUrl,
    ).exited;
    if (merge.code !== 0) throw new Error(`the merge exited ${merge.code}:\n${merge.stdout}\n${merge.stderr}`);
    mergeStdout = merge.stdout;
    merged = read(join(dir, 'merged'));
  }, 300_000);

  afterAll(async () => {
    await node?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('merges them into one run whose every call was answered', () => {
    const sent = ['segment-1', 'segment-2'].map((segment) => read(join(dir, segment)).counters.sent);
    expect(sent.every((n) => n > 0)).toBe(true);
    expect(merged.counters.sent).toBe(sent[0]! + sent[1]!);
    expect(merged.counters.answered).toBe(merged.counters.sent);
    expect(merged.counters.correct).toBe(merged.counters.sent);
  });

  it("names each participant's implementation, and the fleet mixed", () => {
    const byParticipant = Object.fromEntries(
      merged.segments!.participants.map((p) => [p.role === 'servers' ? 'servers' : `segment-${p.index}`, p]),
    );
    expect(byParticipant.servers?.implementation).toBe(`command: ${SERVER_CMD}`);
    expect(byParticipant['segment-1']?.implementation).toBe('builtin');
    expect(byParticipant['segment-2']?.implementation).toBe(`command: ${CLIENT_CMD}`);
    expect(merged.environment.implementations).toEqual({
      server: `command: ${SERVER_CMD}`,
      client: `mixed fleet (2 client implementations): segment-1 builtin; segment-2 command: ${CLIENT_CMD}`,
    });
  });

  it('says so in the terminal summary, summary.md and report.html', () => {
    expect(mergeStdout).toContain('mixed fleet: 2 client implementations');
    const summary = readFileSync(join(dir, 'merged', 'summary.md'), 'utf8');
    expect(summary).toContain('mixed fleet: 2 client implementations');
    expect(summary).toContain(`| command: ${CLIENT_CMD} |`);
    const html = readFileSync(join(dir, 'merged', 'report.html'), 'utf8');
    expect(html).toContain(`<td>command: ${CLIENT_CMD}</td>`);
    expect(html).toContain('mixed fleet: 2 client implementations');
  });
});
