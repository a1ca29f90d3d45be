import { seededRandom } from './seeded-random.ts';

/**
 * Which calls of a client's seed-derived plan one process makes. A whole run makes every
 * call; an execution segment k of K makes the calls g = (k-1) + i*K, i = 0, 1, 2, ... (k6's
 * execution segments slice the iterations the same way), each at the instant the whole
 * run would have made it: `phaseMs` shifts the segment's schedule by its first call.
 */
export interface CallPlan {
  /** Global index of this process's first call. */
  readonly offset: number;
  /** Global calls between two of this process's calls: the number of segments. */
  readonly stride: number;
  /** An open loop's first call is due this long after the start (offset / rate). */
  readonly phaseMs: number;
}

export const WHOLE_PLAN: CallPlan = { offset: 0, stride: 1, phaseMs: 0 };

/** The global call index of this process's call number `index`. */
export function globalCallIndex(plan: CallPlan, index: number): number {
  return plan.offset + index * plan.stride;
}

/**
 * The n of each call, drawn from the client's seeded sequence at the call's global
 * position, so call g asks for the same n in a whole run and in whichever segment makes
 * it. Malformed requests (every `badInputEvery`-th call) draw no number, as in a whole run.
 * Calls must be asked for in increasing order (both executors start them in order).
 */
export class PlannedNumbers {
  private readonly random: () => number;
  private cursor = 0;

  constructor(
    seed: number,
    private readonly maxN: number,
    private readonly badInputEvery: number,
  ) {
    this.random = seededRandom(seed);
  }

  /** Whether global call g sends a malformed body instead of a number. */
  isBadInput(globalIndex: number): boolean {
    return this.badInputEvery > 0 && (globalIndex + 1) % this.badInputEvery === 0;
  }

  nFor(globalIndex: number): number {
    if (globalIndex < this.cursor)
      throw new RangeError(
        `call ${globalIndex} asked for after call ${this.cursor - 1}: calls must be planned in order`,
      );
    for (; this.cursor < globalIndex; this.cursor++) if (!this.isBadInput(this.cursor)) this.random();
    this.cursor = globalIndex + 1;
    return Math.floor(this.random() * (this.maxN + 1));
  }
}
