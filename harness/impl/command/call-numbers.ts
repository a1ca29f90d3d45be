/**
 * The n each call to an external client asks fib(n) of. No two calls in flight share an n
 * (and n >= 2, since fib(1) = fib(2)), so a result names the call it answers: a result equal
 * to another call's fib(m) is that call's reply, delivered to the wrong caller. Numbers are
 * handed out least recently used first, so a late reply to a timed-out call is as far as
 * possible from the next call that asks for the same n.
 */
import { fib } from '../../rpc/fib.ts';

export const SMALLEST_N = 2;

export class CallNumbers {
  /** Free numbers, least recently released first. */
  private readonly free: number[] = [];
  private readonly nByResult = new Map<string, number>();
  /** The call that was last given each n: who a stray fib(n) was meant for. */
  private readonly lastCallWith = new Map<number, number>();
  private readonly fibs = new Map<number, bigint>();

  constructor(
    readonly maxN: number,
    random: () => number,
  ) {
    if (!(Number.isInteger(maxN) && maxN >= SMALLEST_N))
      throw new RangeError(`maxN must be an integer >= ${SMALLEST_N}, got ${maxN}`);
    for (let n = SMALLEST_N; n <= maxN; n++) {
      const value = fib(n);
      this.fibs.set(n, value);
      this.nByResult.set(value.toString(), n);
      this.free.push(n);
    }
    // A seeded shuffle: runs with the same seed ask for the same numbers.
    for (let i = this.free.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [this.free[i], this.free[j]] = [this.free[j]!, this.free[i]!];
    }
  }

  /** Calls that can be in flight at once. */
  get capacity(): number {
    return this.maxN - SMALLEST_N + 1;
  }

  /** An n no call in flight has, or undefined when all are taken. */
  take(callId: number): number | undefined {
    const n = this.free.shift();
    if (n !== undefined) this.lastCallWith.set(n, callId);
    return n;
  }

  release(n: number): void {
    this.free.push(n);
  }

  expected(n: number): bigint {
    return this.fibs.get(n) ?? fib(n);
  }

  /** The call whose reply a result is, when it is fib(m) of some m handed out; undefined otherwise. */
  callAnsweredBy(result: string): { readonly n: number; readonly callId: number } | undefined {
    const n = this.nByResult.get(result);
    const callId = n === undefined ? undefined : this.lastCallWith.get(n);
    return n === undefined || callId === undefined ? undefined : { n, callId };
  }
}
