/** What a gate metric is and what reading it gives: the types every metric module shares. */
import type { ScenarioResult } from '../model/result-schema.ts';

/** What a metric measures decides its unit and which units a gate may write after the number. */
export type MetricKind = 'latency' | 'rate' | 'percent' | 'count';

/**
 * Which way is better when a run is compared with a baseline. 'neither' for counts whose
 * right value depends on the fault schedule (a duplicate-reply run is supposed to discard
 * duplicates), so a baseline cannot call a change in them a regression.
 */
export type Direction = 'lower' | 'higher' | 'neither';

/**
 * A metric read from one run. `value: null` means there is nothing to judge (no samples, or
 * the histogram could not be read), and `why` says which: a gate over it fails.
 */
export type Reading =
  | {
      readonly value: number;
      /** Whom the value is of, when not the whole run (the worst client). */
      readonly who?: string;
    }
  | { readonly value: null; readonly why: string };

export interface MetricDefinition {
  /** Canonical spelling: `p99`, `p99.9`, `server.service.p99`, `discarded.duplicate`. */
  readonly name: string;
  readonly kind: MetricKind;
  readonly better: Direction;
  /** Correctness counts: against a baseline any increase fails, whatever the tolerance. */
  readonly zeroTolerance: boolean;
  read(result: ScenarioResult): Reading;
}
