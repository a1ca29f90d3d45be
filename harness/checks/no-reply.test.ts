import { describe, expect, it } from 'vitest';
import type { ClientAfterLoad, RssSample } from '../model/client-resources.ts';
import type { FaultRecord } from '../model/result-schema.ts';
import { clientMemoryBounded, pendingCallsDrained, warmUpEndMs } from './no-reply.ts';
import { cleanRunInput } from './test/check-input-fixture.ts';

const MB = 2 ** 20;
/** A series every 500 ms over `seconds`, RSS in MB at each time. */
const series = (seconds: number, mbAt: (tMs: number) => number): RssSample[] =>
  Array.from({ length: seconds * 2 + 1 }, (_, i) => ({ tMs: i * 500, rssBytes: Math.round(mbAt(i * 500) * MB) }));

const client = (overrides: Partial<ClientAfterLoad> = {}): ClientAfterLoad => ({
  process: 'client-1',
  seenBy: 'client',
  pendingAtEnd: 0,
  rss: series(24, () => 90),
  ...overrides,
});

/** The scenario's silence: servers stop replying at 10 s, for 12 s. */
const silence: FaultRecord = {
  id: 'fault-1',
  kind: 'servers-stop-replying',
  target: 'servers',
  description: 'servers consume and ack requests but never reply for 12000 ms',
  trigger: 'at 10.0 s',
  fired: true,
  startMs: 10_000,
  endMs: 22_000,
};

const judge = (check: typeof pendingCallsDrained, clients: ClientAfterLoad[]) =>
  check.evaluate(cleanRunInput({ faults: [silence], clientsAfterLoad: clients }));

describe('pending-calls-drained', () => {
  it('passes when every client holds no call after its load, by its own count or at the line protocol', () => {
    const verdict = judge(pendingCallsDrained, [client(), client({ process: 'client-2', seenBy: 'line protocol' })]);
    expect(verdict.passed).toBe(true);
    expect(verdict.actual).toBe(
      'client-1: 0 pending (its own count); client-2: 0 pending (calls never answered, as the line protocol shows)',
    );
  });

  it('fails a client that still holds pending calls after its load, naming how many', () => {
    const verdict = judge(pendingCallsDrained, [client(), client({ process: 'client-2', pendingAtEnd: 1_200 })]);
    expect(verdict.passed).toBe(false);
    expect(verdict.actual).toContain('client-2: still held 1200 pending calls after its load ended (its own count)');
  });

  it('fails a client that did not say what it still held', () => {
    const verdict = judge(pendingCallsDrained, [client({ pendingAtEnd: undefined })]);
    expect(verdict.passed).toBe(false);
    expect(verdict.actual).toBe('client-1: did not say how many calls it still held');
  });
});

describe('client-memory-bounded', () => {
  it('measures from the last 4 s before the servers stopped replying: the normal start before them is warm-up', () => {
    expect(warmUpEndMs({ faults: [silence] })).toBe(6_000);
    expect(warmUpEndMs({ faults: [] })).toBe(2_000);
  });

  it('passes memory that climbs only during warm-up and then wobbles with garbage collection', () => {
    // 60 MB at the start, 95 MB by 8 s, then +-4 MB: the young generation filling, then collections.
    const wobbling = series(24, (t) => (t < 8_000 ? 60 + (t / 8_000) * 35 : 95 + ((t / 500) % 3) * 2 - 2));
    const verdict = judge(clientMemoryBounded, [client({ rss: wobbling })]);
    expect(verdict.passed, verdict.actual).toBe(true);
    expect(verdict.actual).toMatch(/^client-1: 9\d\.\d MB at 6\.0 s-10\.0 s, 9\d\.\d MB at the end \(/);
  });

  it('passes memory that shrinks: a process that gives pages back is bounded', () => {
    const shrinking = series(24, (t) => (t < 16_000 ? 100 : 80));
    const verdict = judge(clientMemoryBounded, [client({ rss: shrinking })]);
    expect(verdict.passed, verdict.actual).toBe(true);
    expect(verdict.actual).toContain('(-20.0 %');
  });

  it('fails a client whose memory grows with every unanswered call: +64 MB over 12 s on 90 MB', () => {
    const leaking = series(24, (t) => (t < 10_000 ? 90 : 90 + Math.min(t - 10_000, 12_000) * (64 / 12_000)));
    const verdict = judge(clientMemoryBounded, [client({ process: 'client-2', rss: leaking })]);
    expect(verdict.passed).toBe(false);
    expect(verdict.actual).toMatch(/^client-2: 90\.0 MB at 6\.0 s-10\.0 s, 15\d\.\d MB at the end \(\+7\d\.\d %/);
    expect(verdict.actual).toContain('grew more than 10 %');
  });

  it('fails at growth just above 10 %, passes just below', () => {
    const growingTo = (endMb: number) => series(24, (t) => (t < 12_000 ? 100 : endMb));
    expect(judge(clientMemoryBounded, [client({ rss: growingTo(111) })]).passed).toBe(false);
    expect(judge(clientMemoryBounded, [client({ rss: growingTo(109) })]).passed).toBe(true);
  });

  it('fails a client with too few samples after warm-up to judge', () => {
    const verdict = judge(clientMemoryBounded, [client({ rss: series(7, () => 90) })]);
    expect(verdict.passed).toBe(false);
    expect(verdict.actual).toBe('client-1: too few RSS samples from 6.0 s on to judge');
  });
});
