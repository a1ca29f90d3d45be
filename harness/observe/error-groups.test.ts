import { describe, expect, it } from 'vitest';
import { ErrorGroupRecorder, errorPattern } from './error-groups.ts';

describe('error groups', () => {
  it('groups error texts that differ only in call ids, correlation ids and numbers', () => {
    expect(errorPattern('call 17 (fib(30)): no answer within 3200 ms')).toBe('call # (fib(#)): no answer within # ms');
    expect(
      errorPattern('RPC channel is closed: unexpected reply with correlation id a1118764-84ab-4672-8c54-0790d34bb27b'),
    ).toBe('RPC channel is closed: unexpected reply with correlation id <id>');
    expect(errorPattern('reply to amq.gen-Xk3_9aQ was returned: 3f2c9a1b77')).toBe(
      'reply to amq.gen-<id> was returned: <id>',
    );
    expect(errorPattern('timeout')).toBe('timeout');
  });

  it('keeps one real example, the count and the first and last time of each group', () => {
    const recorder = new ErrorGroupRecorder();
    recorder.failed('call 1 timed out after 500 ms', 1_000);
    recorder.failed('call 2 timed out after 500 ms', 1_300);
    recorder.failed('connection lost', 1_200);
    expect(recorder.encode()).toEqual({
      groups: [
        {
          pattern: 'call # timed out after # ms',
          example: 'call 1 timed out after 500 ms',
          count: 2,
          firstAtMs: 1_000,
          lastAtMs: 1_300,
        },
        { pattern: 'connection lost', example: 'connection lost', count: 1, firstAtMs: 1_200, lastAtMs: 1_200 },
      ],
      ungrouped: 0,
    });
  });

  it('stays bounded: texts beyond the group limit are counted, not kept', () => {
    const recorder = new ErrorGroupRecorder(3);
    for (const word of ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'alpha']) recorder.failed(`failed: ${word}`, 1);
    const encoded = recorder.encode();
    expect(encoded.groups.map((group) => [group.example, group.count])).toEqual([
      ['failed: alpha', 2],
      ['failed: beta', 1],
      ['failed: gamma', 1],
    ]);
    expect(encoded.ungrouped).toBe(2);
  });
});
