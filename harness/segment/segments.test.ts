import { describe, expect, it } from 'vitest';
import { PlannedNumbers, globalCallIndex } from '../load/call-plan.ts';
import { runConstantArrivalRate } from '../load/constant-arrival-rate.ts';
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import duplicateReply from '../../scenarios/duplicate-reply.ts';
import { checkSegmentSet, type SegmentFolder } from './check-segment-set.ts';
import { mergedClientImplementation, participantImplementation } from './participant-implementation.ts';
import { callIdsUniqueAcrossSegments } from './segment-checks.ts';
import { segmentRequestFromCli, type SegmentCliOptions } from '../cli/segment-options.ts';
import type { SegmentRecord } from './segment-record.ts';
import { callsInSlice, shareOf } from './segment-share.ts';
import { parseSegment, parseStartAt, sharedQueueName } from './segment-spec.ts';

describe('segment options', () => {
  it('reads k/K and refuses what is not a segment of a count', () => {
    expect(parseSegment('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseSegment('5/4')).toThrow('from 1 to 4');
    expect(() => parseSegment('0/4')).toThrow('from 1 to 4');
    expect(() => parseSegment('2of4')).toThrow('expects k/K');
  });

  it('takes a start time only with a zone, and not a day ahead', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(parseStartAt('2026-12-01T10:01:00Z', now)).toBe(now + 60_000);
    expect(parseStartAt('2026-12-01T11:01:00+01:00', now)).toBe(now + 60_000);
    expect(() => parseStartAt('2026-12-01T10:01:00', now)).toThrow('with a zone');
    expect(() => parseStartAt('tomorrow', now)).toThrow('with a zone');
    expect(() => parseStartAt('2026-12-03T10:00:00Z', now)).toThrow('24 h ahead');
  });

  it('derives one request queue from the run identity', () => {
    expect(sharedQueueName('duplicate-reply', 7, Date.parse('2026-12-01T10:00:00Z'))).toBe(
      'rpc_queue.duplicate-reply.seed-7.2026-12-01T10-00-00-000Z',
    );
  });

  const cli = (options: Partial<SegmentCliOptions>): SegmentCliOptions => ({ broker: 'auto', repeat: 1, ...options });
  const context = {
    scenarioSource: 'duplicate-reply',
    overrides: {},
    gates: [],
    env: { AMQP_URL: 'amqp://127.0.0.1:5672' },
    nowEpochMs: Date.parse('2026-12-01T10:00:00Z'),
  };

  it('asks nothing of a whole run', () => {
    expect(segmentRequestFromCli(cli({}), context)).toEqual({ errors: [] });
  });

  it(
    'turns --segment, --start-at and --seed into a clients segment, ' +
      'and --role servers --segments K into the servers run',
    () => {
      const segment = segmentRequestFromCli(cli({ segment: '3/4', startAt: '2026-12-01T10:01:00Z', seed: 7 }), context);
      expect(segment.errors).toEqual([]);
      expect(segment.request).toMatchObject({
        role: 'clients',
        index: 3,
        count: 4,
        startAtEpochMs: Date.parse('2026-12-01T10:01:00Z'),
      });
      const servers = segmentRequestFromCli(
        cli({ role: 'servers', segments: 4, startAt: '2026-12-01T10:01:00Z', seed: 7 }),
        context,
      );
      expect(servers.request).toMatchObject({ role: 'servers', index: 0, count: 4 });
    },
  );

  it('reports every missing piece at once: seed, start time, shared broker', () => {
    const { errors } = segmentRequestFromCli(cli({ segment: '1/4', broker: 'local', repeat: 2 }), context);
    expect(errors.join('\n')).toContain('--start-at');
    expect(errors.join('\n')).toContain('--seed');
    expect(errors.join('\n')).toContain('share one broker');
    expect(errors.join('\n')).toContain('--repeat');
    expect(
      segmentRequestFromCli(cli({ segment: '1/4', startAt: '2026-12-01T10:01:00Z', seed: 1 }), {
        ...context,
        env: {},
      }).errors.join(),
    ).toContain('set AMQP_URL');
    expect(
      segmentRequestFromCli(cli({ role: 'servers', startAt: '2026-12-01T10:01:00Z', seed: 1 }), context).errors.join(),
    ).toContain('--segments K');
    expect(
      segmentRequestFromCli(
        cli({ segment: '1/4', serverCmd: 'x', startAt: '2026-12-01T10:01:00Z', seed: 1 }),
        context,
      ).errors.join(),
    ).toContain('--server-cmd');
  });
});

describe("a segment's share of the call plan", () => {
  it('gives every call of the whole plan, with its n, to exactly one segment', () => {
    const whole = new PlannedNumbers(42, 90, 7);
    const wholePlan = Array.from({ length: 200 }, (_, g) => (whole.isBadInput(g) ? 'bad' : whole.nFor(g)));
    const merged = new Map<number, number | 'bad'>();
    for (let k = 1; k <= 4; k++) {
      const numbers = new PlannedNumbers(42, 90, 7);
      for (let i = 0; i < callsInSlice(200, k, 4); i++) {
        const g = globalCallIndex({ offset: k - 1, stride: 4, phaseMs: 0 }, i);
        expect(merged.has(g)).toBe(false);
        merged.set(g, numbers.isBadInput(g) ? 'bad' : numbers.nFor(g));
      }
    }
    expect([...merged.keys()].sort((a, b) => a - b)).toEqual(wholePlan.map((_, g) => g));
    expect(wholePlan.map((_, g) => merged.get(g))).toEqual(wholePlan);
  });

  it('splits the arrival rate, the in-flight bound and the calls, and keeps the faults for the servers run', () => {
    const definition: ScenarioDefinition = {
      ...duplicateReply,
      load: { executor: 'constant-arrival-rate', ratePerSec: 100, maxInFlight: 1000, calls: 10 },
    };
    const shares = [1, 2, 3, 4].map((k) => shareOf(definition, 'clients', k, 4).share!);
    expect(shares.map((s) => s.definition.load.calls)).toEqual([3, 3, 2, 2]);
    expect(shares.map((s) => s.callPlan?.phaseMs)).toEqual([0, 10, 20, 30]);
    expect(shares[0]!.definition.load).toMatchObject({ ratePerSec: 25, maxInFlight: 250 });
    expect(shares[0]!.definition.faults).toEqual([]);
    expect(shares[0]!.definition.topology.servers).toBe(0);
    expect([...shares[0]!.deferredChecks]).toEqual(['requests-handled-match-sent']);
    const servers = shareOf(definition, 'servers', 0, 4).share!;
    expect(servers.definition.faults).toEqual(definition.faults);
    expect(servers.definition.topology.clients).toBe(0);
    expect(servers.deferredChecks.has('faults-fired')).toBe(false);
  });

  it("splits a closed loop's callers, and refuses a split that leaves a segment none", () => {
    const definition: ScenarioDefinition = {
      ...duplicateReply,
      load: { executor: 'closed-loop', concurrency: 10, durationMs: 1000 },
    };
    const concurrency = [1, 2, 3, 4]
      .map((k) => shareOf(definition, 'clients', k, 4).share!.definition.load)
      .map((load) => (load.executor === 'closed-loop' ? load.concurrency : 0));
    expect(concurrency).toEqual([2, 3, 2, 3]);
    expect(
      shareOf(
        { ...definition, load: { executor: 'closed-loop', concurrency: 3, durationMs: 1000 } },
        'clients',
        1,
        4,
      ).errors.join(),
    ).toContain('cannot be split into 4 segments');
    expect(
      shareOf(
        { ...definition, load: { executor: 'closed-loop', concurrency: 8, calls: 2 } },
        'clients',
        3,
        4,
      ).errors.join(),
    ).toContain('would make none');
  });

  it('refuses faults that would fire once per segment or need every call', () => {
    const definition: ScenarioDefinition = {
      ...duplicateReply,
      faults: [
        { kind: 'close-connections', proxy: 'clients', trigger: { atMs: 100 } },
        { kind: 'restart-broker', trigger: { afterCall: 50 } },
      ],
    };
    const { errors } = shareOf(definition, 'servers', 0, 4);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toContain('clients proxy');
    expect(errors[1]).toContain('after call 50');
  });

  it("starts an open-loop segment's calls at the whole schedule's instants (phase + i * K / rate)", async () => {
    const intended: number[] = [];
    let start = 0;
    const summary = await runConstantArrivalRate(
      { ratePerSec: 100, calls: 3, maxInFlight: 10, phaseMs: 20 },
      async (_, intendedStartMs) => {
        if (intended.length === 0) start = intendedStartMs - 20;
        intended.push(intendedStartMs - start);
      },
    );
    expect(summary.started).toBe(3);
    expect(intended.map((t) => Math.round(t))).toEqual([20, 30, 40]);
  });
});

describe('which folders make one run', () => {
  const record = (
    role: 'clients' | 'servers',
    index: number,
    changes: Partial<SegmentRecord['identity']> = {},
    startOffsetMs = 0,
    overrides: SegmentRecord['overrides'] = {},
  ): SegmentFolder => ({
    dir: `/runs/${role === 'servers' ? 'servers' : `segment-${index}`}`,
    record: {
      identity: {
        scenario: 'duplicate-reply',
        seed: 7,
        startAt: '2026-12-01T10:00:00.000Z',
        count: 3,
        queue: 'q',
        ...changes,
      },
      role,
      index,
      overrides,
      gates: [],
      recordedStartEpochMs: Date.parse('2026-12-01T10:00:00Z') + startOffsetMs,
    } as unknown as SegmentRecord,
  });
  const all = () => [record('clients', 1), record('clients', 2), record('clients', 3), record('servers', 0)];

  it('accepts every segment once and one servers run', () => {
    const set = checkSegmentSet(all());
    expect(set.problems).toEqual([]);
    expect(set.segments.map((s) => s.record.index)).toEqual([1, 2, 3]);
    expect(set.clockSkewWarning).toBeUndefined();
  });

  it('refuses a missing segment, a duplicated one, another seed, and a second servers run, all in one answer', () => {
    const folders = [
      record('clients', 1),
      record('clients', 1),
      record('clients', 2, { seed: 8 }),
      record('servers', 0),
      record('servers', 0),
    ];
    const problems = checkSegmentSet(folders).problems.join('\n');
    expect(problems).toContain('segment 3/3 missing');
    expect(problems).toContain('segment 1/3 is given 2 times');
    expect(problems).toMatch(/the seed differs \(7 in .*; 8 in \/runs\/segment-2\)/);
    expect(problems).toContain('2 servers runs given');
  });

  it('refuses folders of another scenario, start time or segment count', () => {
    const problems = checkSegmentSet([
      record('clients', 1, { scenario: 'latency' }),
      record('clients', 2, { startAt: '2026-12-01T10:05:00.000Z' }),
      record('clients', 3, { count: 4 }),
    ]).problems.join('\n');
    expect(problems).toContain('the scenario differs');
    expect(problems).toContain('the start time (--start-at) differs');
    expect(problems).toContain('the segment count differs');
  });

  it(
    'merges participants whose implementations differ (older files kept them among the options), ' +
      'but not segments whose scenario options differ',
    () => {
      const server = { serverCommand: 'node --import tsx rpc-server.ts', readyTimeoutMs: 20_000 };
      const mixed = checkSegmentSet([
        record('clients', 1),
        record('clients', 2, {}, 0, { clientCommand: 'node --import tsx rpc-client-driver.ts' }),
        record('clients', 3),
        record('servers', 0, {}, 0, server),
      ]);
      expect(mixed.problems).toEqual([]);
      const timeouts = checkSegmentSet([
        record('clients', 1, {}, 0, { timeoutMs: 2000 }),
        record('clients', 2, {}, 0, { timeoutMs: 2000, clientCommand: 'node client.js' }),
        record('clients', 3, {}, 0, { timeoutMs: 5000 }),
        record('servers', 0, {}, 0, { timeoutMs: 2000, ...server }),
      ]).problems.join('\n');
      expect(timeouts).toMatch(/the scenario options differs .*"timeoutMs":5000\} in \/runs\/segment-3/);
      expect(timeouts).not.toContain('Command');
    },
  );

  it('names one client implementation, or each of a mixed fleet', () => {
    const segment = (index: number, client: string) => ({
      role: 'clients' as const,
      index,
      implementations: { server: 'builtin', client },
    });
    expect(mergedClientImplementation([segment(1, 'builtin'), segment(2, 'builtin')])).toBe('builtin');
    expect(mergedClientImplementation([segment(2, 'command: node c.js'), segment(1, 'builtin')])).toBe(
      'mixed fleet (2 client implementations): segment-1 builtin; segment-2 command: node c.js',
    );
    expect(participantImplementation({ role: 'servers', implementations: { server: 'command: s', client: 'x' } })).toBe(
      'command: s',
    );
  });

  it('warns of clock skew above 50 ms, not below', () => {
    const folders = (offset: number) => [
      record('clients', 1),
      record('clients', 2, {}, offset),
      record('clients', 3),
      record('servers', 0),
    ];
    expect(checkSegmentSet(folders(40)).clockSkewWarning).toBeUndefined();
    const skewed = checkSegmentSet(folders(73));
    expect(skewed.clockSkewMs).toBe(73);
    expect(skewed.clockSkewWarning).toContain('differ by 73 ms');
    expect(skewed.clockSkewWarning).toContain('segment-2 +73 ms');
  });
});

describe('call ids across segments', () => {
  it('passes when no id repeats and fails when two segments share one', () => {
    const a = { ranges: { 'client-a': [0, 9] }, other: [] };
    const b = { ranges: { 'client-b': [0, 9] }, other: [] };
    expect(callIdsUniqueAcrossSegments([[a], [b]]).passed).toBe(true);
    const repeated = callIdsUniqueAcrossSegments([[a], [{ ranges: { 'client-a': [5, 14] }, other: [] }]]);
    expect(repeated.passed).toBe(false);
    expect(repeated.actual).toContain('(5 repeated)');
  });
});
