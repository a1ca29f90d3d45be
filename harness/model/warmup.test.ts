import { describe, expect, it } from 'vitest';
import { summarizeWarmup, warmupWarning } from './warmup.ts';

describe('warm-up calls in result.json', () => {
  it('adds up the clients, keeping the first failures', () => {
    const warmup = summarizeWarmup(3, [
      { sent: 3, answered: 3, failures: [] },
      { sent: 3, answered: 1, failures: ['client-2: warm-up call 1: timeout', 'client-2: warm-up call 2: timeout'] },
    ]);
    expect(warmup).toEqual({
      callsPerClient: 3,
      sent: 6,
      answered: 4,
      failed: 2,
      failures: ['client-2: warm-up call 1: timeout', 'client-2: warm-up call 2: timeout'],
    });
    expect(warmupWarning(warmup)).toBeUndefined();
  });

  it('warns when none of them succeeded, with the first reason, but not when none was asked for', () => {
    const warmup = summarizeWarmup(2, [{ sent: 2, answered: 0, failures: ['client-1: warm-up call 1: timeout'] }]);
    expect(warmupWarning(warmup)).toBe(
      'none of the 2 warm-up calls succeeded (client-1: warm-up call 1: timeout): ' +
        'the measured load started against clients or servers that had not answered a call yet',
    );
    expect(summarizeWarmup(0, [{ sent: 0, answered: 0, failures: [] }])).toBeUndefined();
    expect(warmupWarning(undefined)).toBeUndefined();
  });
});
