import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { waitUntil } from '../test/poll.ts';
import { PendingCallTable, SWEEP_GRANULARITY_MS, type PendingCall } from './pending-calls.ts';

function pendingCall(correlationId: string): PendingCall<number> & { outcome: string[] } {
  const outcome: string[] = [];
  return {
    correlationId,
    n: 1,
    resolve: (value) => outcome.push(`resolved ${value}`),
    reject: (error) => outcome.push(`rejected ${error.message}`),
    outcome,
  };
}

/** A full collection, so heap figures count live objects only (gc is exposed to a fresh context). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const newTable = (finishedMemory?: number) => new PendingCallTable<number>({ idPrefix: 'client-a', finishedMemory });

describe('PendingCallTable', () => {
  it('hands out correlation ids that are unique and carry its prefix', () => {
    const table = newTable();
    const ids = Array.from({ length: 3 }, () => table.newCorrelationId());
    expect(ids).toEqual(['client-a.1', 'client-a.2', 'client-a.3']);
  });

  it('hands a pending call out exactly once', () => {
    const table = newTable();
    const a = table.newCorrelationId();
    table.add(pendingCall(a));
    expect(table.take(a, 'answered')?.correlationId).toBe(a);
    expect(table.take(a, 'answered')).toBeUndefined();
    expect(table.size).toBe(0);
  });

  it('classifies a reply for an answered call as a duplicate', () => {
    const table = newTable();
    const a = table.newCorrelationId();
    table.add(pendingCall(a));
    table.take(a, 'answered');
    expect(table.classifyDiscard(a)).toBe('duplicate');
  });

  it('classifies a reply for a timed-out or failed call as late', () => {
    const table = newTable();
    const t = table.newCorrelationId();
    const f = table.newCorrelationId();
    table.add(pendingCall(t));
    table.add(pendingCall(f));
    table.take(t, 'timed-out');
    table.take(f, 'failed');
    expect(table.classifyDiscard(t)).toBe('late');
    expect(table.classifyDiscard(f)).toBe('late');
  });

  it('classifies a reply it never saw, or one without correlation id, as unknown', () => {
    const table = newTable();
    expect(table.classifyDiscard('foreign')).toBe('unknown');
    expect(table.classifyDiscard('client-b.1')).toBe('unknown');
    expect(table.classifyDiscard('client-a.99')).toBe('unknown'); // ours in form, never handed out
    expect(table.classifyDiscard(undefined)).toBe('unknown');
  });

  it('forgets the oldest finished calls beyond its memory, so it stays bounded', () => {
    const table = newTable(2);
    const ids = [table.newCorrelationId(), table.newCorrelationId(), table.newCorrelationId()];
    for (const id of ids) {
      table.add(pendingCall(id));
      table.take(id, 'answered');
    }
    expect(table.classifyDiscard(ids[0])).toBe('unknown');
    expect(table.classifyDiscard(ids[2])).toBe('duplicate');
  });

  it('keeps its memory of finished calls in fixed space: a million calls grow the heap by well under 10 MB', () => {
    const table = newTable();
    collectGarbage();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1_000_000; i++) {
      const id = table.newCorrelationId();
      table.add(pendingCall(id));
      table.take(id, i % 10 === 0 ? 'timed-out' : 'answered');
    }
    collectGarbage();
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(10 * 2 ** 20);
    expect(table.classifyDiscard('client-a.1000000')).toBe('duplicate');
    expect(table.classifyDiscard('client-a.999991')).toBe('late');
    expect(table.classifyDiscard('client-a.1')).toBe('unknown');
  });

  it('refuses a correlation id that is already in use', () => {
    const table = newTable();
    const a = table.newCorrelationId();
    table.add(pendingCall(a));
    expect(() => table.add(pendingCall(a))).toThrow(/already in use/);
    table.take(a, 'answered');
    expect(() => table.add(pendingCall(a))).toThrow(/already in use/);
  });

  it('drains every pending call and clears its timeout sweep', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let nowMs = 0;
      const timedOut: string[] = [];
      const table = new PendingCallTable<number>({
        idPrefix: 'client-a',
        timeoutMs: 20,
        now: () => nowMs,
        onTimeout: (call) => timedOut.push(call.correlationId),
      });
      const [a, b] = [table.newCorrelationId(), table.newCorrelationId()];
      table.add(pendingCall(a));
      table.add(pendingCall(b));
      expect(vi.getTimerCount()).toBe(1); // one sweep for both calls
      expect(table.drain('failed').map((c) => c.correlationId)).toEqual([a, b]);
      expect(table.size).toBe(0);
      expect(table.classifyDiscard(b)).toBe('late');
      expect(vi.getTimerCount()).toBe(0);
      // A call added afterwards is the only one its sweep times out: the drained calls are gone from it.
      const c = table.newCorrelationId();
      table.add(pendingCall(c));
      nowMs = 60;
      vi.advanceTimersByTime(60);
      expect(timedOut).toEqual([c]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('PendingCallTable timeouts (one sweep timer for all calls)', () => {
  it('times out exactly the calls whose deadline has passed, in send order', () => {
    let nowMs = 0;
    const table = new PendingCallTable<number>({ idPrefix: 'client-a', timeoutMs: 100, now: () => nowMs });
    const ids = Array.from({ length: 4 }, () => table.newCorrelationId());
    for (const [i, id] of ids.entries()) {
      nowMs = i * 10;
      table.add(pendingCall(id));
    }
    table.take(ids[1]!, 'answered');
    expect(table.expireDue(109.9).map((c) => c.correlationId)).toEqual([ids[0]]);
    expect(table.expireDue(120).map((c) => c.correlationId)).toEqual([ids[2]]);
    expect(table.classifyDiscard(ids[0]!)).toBe('late');
    expect(table.size).toBe(1);
    table.take(ids[3]!, 'answered');
  });

  it(
    'fires each timeout after its deadline, never before, ' +
      'and at most 12 ms later than a plain timer set beside it, with calls spread over time',
    async () => {
      const timeoutMs = 50;
      const sentAt = new Map<string, number>();
      const lateness = new Map<string, number>();
      // Calibration: a plain timer per call, for the same time, shows how late this event loop runs
      // right now; on a loaded machine the sweep is late by that much too, and only the rest is its own.
      const plainLateness = new Map<string, number>();
      const table = new PendingCallTable<number>({
        idPrefix: 'client-a',
        timeoutMs,
        onTimeout: (call) =>
          lateness.set(call.correlationId, performance.now() - sentAt.get(call.correlationId)! - timeoutMs),
      });
      for (let i = 0; i < 40; i++) {
        const id = table.newCorrelationId();
        const at = performance.now();
        sentAt.set(id, at);
        table.add(pendingCall(id), at);
        // Every other call is answered in time: the sweep must skip it.
        if (i % 2 === 1) table.take(id, 'answered');
        else setTimeout(() => plainLateness.set(id, performance.now() - at - timeoutMs), timeoutMs);
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      await waitUntil(() => lateness.size === 20 && plainLateness.size === 20, 'timeout of every unanswered call', {
        timeoutMs: 10_000,
      });
      expect(table.size).toBe(0);
      const unanswered = [...plainLateness.keys()];
      expect([...lateness.keys()]).toEqual(unanswered); // in send order
      expect(Math.min(...lateness.values())).toBeGreaterThanOrEqual(0);
      // The sweep's own lateness is at most SWEEP_GRANULARITY_MS + 2 ms (timer rounding): compared
      // per call, the median.
      const ownLateness = unanswered.map((id) => lateness.get(id)! - plainLateness.get(id)!).sort((x, y) => x - y);
      expect(ownLateness[Math.floor(ownLateness.length / 2)]).toBeLessThanOrEqual(SWEEP_GRANULARITY_MS + 2);
    },
  );

  it("never holds the process open: its one timer is unref'd, calls wait on the socket", () => {
    const table = new PendingCallTable<number>({ idPrefix: 'client-a', timeoutMs: 60_000 });
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    table.add(pendingCall(table.newCorrelationId()));
    table.add(pendingCall(table.newCorrelationId()));
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
    table.drain('failed');
  });
});
