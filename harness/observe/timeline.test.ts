import { describe, expect, it } from 'vitest';
import { TimelineEventSchema } from '../model/result-schema.ts';
import { Timeline, TIMELINE_EVENT_KINDS, type TimelineEvent } from './timeline.ts';

const event = (atMs: number, kind: TimelineEvent['kind'], detail?: string): TimelineEvent => ({
  atMs,
  kind,
  process: 'client-1',
  ...(detail ? { detail } : {}),
});

describe('Timeline', { timeout: 10_000 }, () => {
  it('returns events in time order, whatever order they arrived in from the workers', () => {
    const timeline = new Timeline();
    timeline.addAll([event(300, 'discard-duplicate'), event(100, 'fault-start'), event(200, 'kill')]);
    expect(timeline.events().map((e) => e.kind)).toEqual(['fault-start', 'kill', 'discard-duplicate']);
  });

  it('stays bounded and counts what it dropped, by kind', () => {
    const timeline = new Timeline({ maxEvents: 100, structuralReserve: 0 });
    for (let i = 0; i < 250; i++) timeline.add(event(i, 'timeout'));
    expect(timeline.size).toBe(100);
    expect(timeline.dropped).toBe(150);
    expect(timeline.droppedByKind.get('timeout')).toBe(150);
    expect(timeline.add(event(999, 'timeout'))).toBe(false);
  });

  it('keeps fault and lifecycle events after a flood of per-call events has filled it', () => {
    const timeline = new Timeline({ maxEvents: 10, structuralReserve: 5 });
    timeline.add(event(0, 'fault-start', 'partition'));
    for (let i = 1; i <= 50; i++) timeline.add(event(i, 'timeout'));
    expect(timeline.add(event(60, 'fault-end', 'partition healed'))).toBe(true);
    expect(timeline.add(event(61, 'note'))).toBe(false);

    const kinds = timeline.events().map((e) => e.kind);
    expect(kinds[0]).toBe('fault-start');
    expect(kinds.at(-1)).toBe('fault-end');
    expect(timeline.dropped).toBe(42);
  });

  it("converts to result.json's timeline block with run-relative times the schema accepts", () => {
    const runStart = 1_700_000_000_000;
    const timeline = new Timeline();
    timeline.add({ atMs: runStart - 50, kind: 'note', process: 'scenario', detail: 'broker ready' });
    timeline.add({
      atMs: runStart + 1234,
      kind: 'discard-duplicate',
      process: 'client-1',
      traceId: 'a'.repeat(32),
      correlationId: 'c-7',
    });

    const result = timeline.toResult(runStart);
    expect(result.dropped).toBe(0);
    expect(result.events.map((e) => e.tMs)).toEqual([0, 1234]);
    expect(result.events[1]).toMatchObject({
      kind: 'discard-duplicate',
      traceId: 'a'.repeat(32),
      correlationId: 'c-7',
    });
    for (const e of result.events) expect(() => TimelineEventSchema.parse(e)).not.toThrow();
  });

  it('uses the same event kinds as result.json', () => {
    expect([...TIMELINE_EVENT_KINDS].sort()).toEqual([...TimelineEventSchema.shape.kind.options].sort());
  });
});
