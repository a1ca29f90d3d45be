/**
 * A segment's agreed start against this machine's clock. A --start-at years in the past once
 * made the runner fill one interval per second since then and abort out of memory (exit 134,
 * no result.json); now a start more than 10 s in the past is refused before anything starts,
 * and a smaller lateness is run with a warning.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { EXIT_HARNESS_ERROR } from '../exit-codes.ts';
import { defineScenario } from '../scenario/define-scenario.ts';
import { runScenario } from '../engine/run-scenario.ts';
import duplicateReply from '../../scenarios/duplicate-reply.ts';
import { planParticipant } from './plan-participant.ts';
import type { SegmentRun } from './segment-run.ts';
import { describeTimeSpan, parseStartAt } from './segment-spec.ts';

const CLI = new URL('../cli/cli.ts', import.meta.url).pathname;
const YEARS_AGO = '2020-01-01T00:00:00Z';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-late-start-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function participant(
  startAtEpochMs: number,
  role: 'clients' | 'servers' = 'clients',
  definition = duplicateReply,
): { run: SegmentRun; definition: typeof definition } {
  const request = {
    role,
    index: role === 'clients' ? 1 : 0,
    count: 2,
    startAtEpochMs,
    scenarioSource: definition.name,
    overrides: {},
    gates: [],
  };
  const planned = planParticipant(definition, request, 42);
  if (!planned.run || !planned.definition) throw new Error(planned.errors.join('; '));
  return { run: planned.run, definition: planned.definition };
}

function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    // Nothing listens on port 1: a run that got as far as the broker would fail differently.
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { ...process.env, AMQP_URL: 'amqp://guest:guest@127.0.0.1:1', TOXIPROXY_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('a --start-at in the past', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');

  it('is refused more than 10 s back, naming the clock difference and what to do', () => {
    expect(() => parseStartAt(YEARS_AGO, now)).toThrow(
      '--start-at 2020-01-01T00:00:00Z is 6 years 11 months (218,282,400 s) in the past ' +
        "(this machine's clock reads 2026-12-01T10:00:00.000Z); " +
        "a segment's start must be at most 10 s in the past: " +
        'check the clocks of the machines (chrony/ntp) or give a later time, e.g. 2026-12-01T10:01:00.000Z',
    );
    expect(() => parseStartAt('2026-12-01T09:58:00Z', now)).toThrow('is 2 minutes (120 s) in the past');
    expect(() => parseStartAt('2026-12-01T09:59:49.9Z', now)).toThrow('is 10.1 s in the past');
  });

  it('is taken up to 10 s back', () => {
    expect(parseStartAt('2026-12-01T09:59:50Z', now)).toBe(now - 10_000);
    expect(parseStartAt('2026-12-01T09:59:59.5Z', now)).toBe(now - 500);
  });

  it('names a clock difference in the two largest units and in seconds', () => {
    expect(describeTimeSpan(42_000)).toBe('42.0 s');
    expect(describeTimeSpan(3 * 3_600_000 + 5 * 60_000 + 7_000)).toBe('3 hours 5 minutes (11,107 s)');
    expect(describeTimeSpan(86_400_000 + 30_000)).toBe('1 day (86,430 s)');
  });
});

describe('the scenario command with a start years in the past', { timeout: 120_000 }, () => {
  for (const part of [
    ['--segment', '1/2'],
    ['--role', 'servers', '--segments', '2'],
  ]) {
    it(`refuses ${part.join(' ')} before any process or folder starts: exit 2, the difference on stderr`, async () => {
      const out = join(tempDir(), 'run');
      const run = await runCli([
        'duplicate-reply',
        ...part,
        '--start-at',
        YEARS_AGO,
        '--seed',
        '42',
        '--broker',
        'url',
        '--out',
        out,
      ]);
      expect(run.code, run.stderr).toBe(EXIT_HARNESS_ERROR);
      expect(run.stderr).toMatch(
        new RegExp(
          String.raw`--start-at 2020-01-01T00:00:00Z is 6 years 11 months \([\d,]+ s\) in the past .*` +
            String.raw`at most 10 s in the past: check the clocks of the machines \(chrony\/ntp\) or give a later time`,
        ),
      );
      expect(run.stderr).not.toContain('starting broker');
      expect(existsSync(out)).toBe(false);
    });
  }
});

describe('a participant against its start', () => {
  it(
    'refuses, in the runner too, a start years in the past before anything starts, ' +
      'and the result holds no interval per second since',
    async () => {
      const { run, definition } = participant(Date.parse(YEARS_AGO));
      const runDir = tempDir();
      const result = await runScenario({
        definition,
        broker: 'url',
        proxy: 'builtin',
        seed: 42,
        runDir,
        gates: [],
        tracing: { enabled: false, sampleRatio: 0 },
        segment: run,
      });
      expect(result.verdict).toBe('error');
      expect(result.harnessErrors.join('\n')).toMatch(
        new RegExp(
          String.raw`the start of segment 1\/2 \(--start-at 2020-01-01T00:00:00.000Z\) ` +
            String.raw`is 6 years 11 months \([\d,]+ s\) in the past`,
        ),
      );
      expect(result.environment.broker.version).toBe('not started');
      expect(result.latency.series.length).toBeLessThanOrEqual(1);
      expect(readdirSync(runDir)).not.toContain('segment.json');
    },
  );

  it('takes a start from 10 s in the past to a day ahead, the bounds the command line puts on it', () => {
    const now = Date.now();
    expect(participant(now - 9_000).run.startProblem(now)).toBeUndefined();
    expect(participant(now + 23 * 3_600_000).run.startProblem(now)).toBeUndefined();
    expect(participant(now - 11_000).run.startProblem(now)).toMatch(
      /is 11\.0 s in the past .* or give a later --start-at$/,
    );
    expect(participant(now + 25 * 3_600_000).run.startProblem(now)).toMatch(
      /^the start of segment 1\/2 \(--start-at \S+\) is more than 24 h ahead; check the date$/,
    );
  });

  it('refuses to start the load when its processes were ready more than 10 s after the start', async () => {
    const { run } = participant(Date.now() - 11_000);
    await expect(run.untilStart(undefined)).rejects.toThrow(
      new RegExp(
        String.raw`^segment 1\/2 was ready to start its load 1\d\.\d s after --start-at \S+, ` +
          String.raw`and a segment's start must be at most 10 s in the past`,
      ),
    );
  });

  it(
    'starts a load whose processes were ready a little late at once, ' + 'with a warning that says by how much',
    async () => {
      const startAtEpochMs = Date.now() - 600;
      const { run } = participant(startAtEpochMs);
      expect(await run.untilStart(undefined)).toBe(startAtEpochMs);
      const warning = run.lateStartWarning() ?? '';
      const lateSeconds = Number(/was ready to start its load (\d+\.\d) s after --start-at/.exec(warning)?.[1]);
      expect(lateSeconds, warning).toBeGreaterThanOrEqual(0.6);
      expect(warning).toContain('its calls are that much later than the agreed schedule puts them');
      const servers = participant(Date.now() - 600, 'servers');
      await servers.run.untilStart(undefined);
      expect(servers.run.lateStartWarning()).toContain('faults due before then fire that late');
    },
  );

  it('gives no warning to a participant that was ready before its start and waited for it', async () => {
    // Far enough ahead that setting the participant up on a loaded machine cannot make it late.
    const startAtEpochMs = Date.now() + 1_500;
    const { run } = participant(startAtEpochMs);
    expect(await run.untilStart(undefined)).toBe(startAtEpochMs);
    expect(Date.now()).toBeGreaterThanOrEqual(startAtEpochMs);
    expect(run.lateStartWarning()).toBeUndefined();
  });
});

describe('a segment run that starts a little late', { timeout: 180_000 }, () => {
  let node: StartedPrivateRabbitNode;
  beforeAll(async () => {
    node = await new PrivateRabbitNode().withStartTimeout(90_000).start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("runs, and carries the lateness in result.json's warnings", async () => {
    const small = defineScenario({
      ...duplicateReply,
      name: 'late-start',
      load: { executor: 'constant-arrival-rate', ratePerSec: 20, calls: 2, maxInFlight: 10 },
      timeoutMs: 500,
      faults: [],
      checks: [],
      gates: [],
    });
    // Already 400 ms late when the runner starts: its set-up only adds to that.
    const { run, definition } = participant(Date.now() - 400, 'clients', small);
    const result = await runScenario({
      definition,
      broker: node,
      proxy: 'builtin',
      seed: 42,
      runDir: tempDir(),
      gates: [],
      tracing: { enabled: false, sampleRatio: 0 },
      segment: run,
    });
    expect(result.harnessErrors).toEqual([]);
    expect(result.counters.sent).toBe(1);
    expect(result.warnings?.join('\n')).toMatch(
      /^segment 1\/2 was ready to start its load \d+\.\d s after --start-at \S+: its calls are that much later/m,
    );
  });
});
