import { describe, expect, it } from 'vitest';
import { PendingCallTable, type PendingCall } from './pending-calls.ts';

function pendingCall(correlationId: string): PendingCall<number> & { outcome: string[] } {
  const outcome: string[] = [];
  return {
    correlationId,
    n: 1,
    sentAtMs: Date.now(),
    resolve: (value) => outcome.push(`resolved ${value}`),
    reject: (error) => outcome.push(`rejected ${error.message}`),
    outcome,
  };
}

describe('PendingCallTable', () => {
  it('hands a pending call out exactly once', () => {
    const table = new PendingCallTable<number>();
    table.add(pendingCall('a'));
    expect(table.take('a', 'answered')?.correlationId).toBe('a');
    expect(table.take('a', 'answered')).toBeUndefined();
    expect(table.size).toBe(0);
  });

  it('classifies a reply for an answered call as a duplicate', () => {
    const table = new PendingCallTable<number>();
    table.add(pendingCall('a'));
    table.take('a', 'answered');
    expect(table.classifyDiscard('a')).toBe('duplicate');
  });

  it('classifies a reply for a timed-out or failed call as late', () => {
    const table = new PendingCallTable<number>();
    table.add(pendingCall('t'));
    table.add(pendingCall('f'));
    table.take('t', 'timed-out');
    table.take('f', 'failed');
    expect(table.classifyDiscard('t')).toBe('late');
    expect(table.classifyDiscard('f')).toBe('late');
  });

  it('classifies a reply it never saw, or one without correlation id, as unknown', () => {
    const table = new PendingCallTable<number>();
    expect(table.classifyDiscard('foreign')).toBe('unknown');
    expect(table.classifyDiscard(undefined)).toBe('unknown');
  });

  it('forgets the oldest finished calls beyond its memory, so it stays bounded', () => {
    const table = new PendingCallTable<number>(2);
    for (const id of ['a', 'b', 'c']) {
      table.add(pendingCall(id));
      table.take(id, 'answered');
    }
    expect(table.classifyDiscard('a')).toBe('unknown');
    expect(table.classifyDiscard('c')).toBe('duplicate');
  });

  it('refuses a correlation id that is already in use', () => {
    const table = new PendingCallTable<number>();
    table.add(pendingCall('a'));
    expect(() => table.add(pendingCall('a'))).toThrow(/already in use/);
  });

  it('drains every pending call and clears its timer', () => {
    const table = new PendingCallTable<number>();
    const call = pendingCall('a');
    call.timer = setTimeout(() => { throw new Error('timer must have been cleared'); }, 50);
    table.add(call);
    table.add(pendingCall('b'));
    expect(table.drain('failed').map((c) => c.correlationId)).toEqual(['a', 'b']);
    expect(table.size).toBe(0);
    expect(table.classifyDiscard('b')).toBe('late');
  });
});
