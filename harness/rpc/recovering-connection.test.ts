import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './recovering-connection.ts';

describe('the reconnect backoff', () => {
  it('starts at 100 ms and doubles, within ±20 %', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, () => 0.5))).toEqual([100, 200, 400, 800]);
    expect(backoffDelayMs(1, () => 0)).toBe(80);
    expect(backoffDelayMs(1, () => 1)).toBe(120);
  });

  it('never waits more than 2 s, however many attempts failed', () => {
    for (const attempt of [5, 6, 10, 150]) {
      expect(backoffDelayMs(attempt, () => 1)).toBeLessThanOrEqual(2_000);
      expect(backoffDelayMs(attempt, () => 0)).toBeGreaterThan(1_000);
    }
  });
});
