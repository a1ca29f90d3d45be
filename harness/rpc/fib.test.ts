import { describe, expect, it } from 'vitest';
import { fib } from './fib.ts';

describe('fib', () => {
  it('starts 0, 1, 1, 2, 3, 5, 8', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(fib)).toEqual([0n, 1n, 1n, 2n, 3n, 5n, 8n]);
  });

  it('is exact beyond 2^53: fib(90) = 2880067194370816120', () => {
    expect(fib(90)).toBe(2880067194370816120n);
    expect(fib(100)).toBe(354224848179261915075n);
  });

  it('satisfies fib(n) = fib(n-1) + fib(n-2) up to 500', () => {
    for (let n = 2; n <= 500; n++) expect(fib(n)).toBe(fib(n - 1) + fib(n - 2));
  });

  it('rejects negative and non-integer n', () => {
    expect(() => fib(-1)).toThrow(/non-negative integer/);
    expect(() => fib(2.5)).toThrow(/non-negative integer/);
    expect(() => fib(Number.NaN)).toThrow(/non-negative integer/);
  });
});
