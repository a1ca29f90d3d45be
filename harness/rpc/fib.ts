/**
 * Exact fibonacci with BigInt, iterative so that large n costs O(n) additions and no stack.
 * fib(0) = 0, fib(1) = 1, fib(90) = 2880067194370816120n.
 */
export function fib(n: number): bigint {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`fib(n) needs a non-negative integer, got ${n}`);
  let previous = 0n;
  let current = 1n;
  for (let i = 0; i < n; i++) {
    const next = previous + current;
    previous = current;
    current = next;
  }
  return previous;
}
