import { z } from 'zod';

/**
 * Warm-up calls: a few calls each client makes after it is ready and before the measured load,
 * so that a client which sets itself up at its first call (a reply consumer started lazily, a
 * channel opened on demand) does not carry that set-up into the latency of the first measured
 * calls. They reach the real servers, but no counter, latency, calls-by-start interval or check
 * of the run counts them; result.json says how many were sent and how they ended.
 */

/** Warm-up calls per client when the scenario and the command line say nothing. */
export const DEFAULT_WARMUP_CALLS = 3;

const count = z.number().int().nonnegative();

export const WarmupSchema = z.object({
  /** Warm-up calls each client was asked to make. */
  callsPerClient: count,
  /** Sent by all clients together. */
  sent: count,
  /** Answered with the right result. */
  answered: count,
  /** Timed out, failed, or answered with a wrong result. */
  failed: count,
  /** The first few failures, e.g. "client-1: call 2: timeout". */
  failures: z.array(z.string()),
});

export type Warmup = z.infer<typeof WarmupSchema>;

/** One client's warm-up, as its implementation reports it. */
export interface WarmupOutcome {
  readonly sent: number;
  readonly answered: number;
  readonly failures: readonly string[];
}

const MAX_WARMUP_FAILURES = 5;

/** The run's warm-up from each client's; undefined when no client warmed up. */
export function summarizeWarmup(callsPerClient: number, outcomes: readonly WarmupOutcome[]): Warmup | undefined {
  if (callsPerClient === 0 && outcomes.every((outcome) => outcome.sent === 0)) return undefined;
  const sent = outcomes.reduce((total, outcome) => total + outcome.sent, 0);
  const answered = outcomes.reduce((total, outcome) => total + outcome.answered, 0);
  return {
    callsPerClient,
    sent,
    answered,
    failed: sent - answered,
    failures: outcomes.flatMap((outcome) => outcome.failures).slice(0, MAX_WARMUP_FAILURES),
  };
}

/** The warning a reader must see when warm-up calls were sent and none succeeded. */
export function warmupWarning(warmup: Warmup | undefined): string | undefined {
  if (!warmup || warmup.sent === 0 || warmup.answered > 0) return undefined;
  return (
    `none of the ${warmup.sent} warm-up calls succeeded (${warmup.failures[0] ?? 'no reason reported'}): ` +
    'the measured load started against clients or servers that had not answered a call yet'
  );
}
