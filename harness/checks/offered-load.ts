import type { LoadOptions } from '../load/load-options.ts';
import { mergeHistograms } from '../observe/histogram.ts';
import { summarize } from '../observe/latency-summary.ts';
import { ms } from '../report/format.ts';
import type { OfferedLoad } from '../model/result-schema.ts';
import type { Check } from '../model/check.ts';

/**
 * Whether the harness offered the load that was asked for. An open-loop run that drops calls
 * at its in-flight limit measured a lighter load than its name says: the dropped calls are
 * exactly the ones that would have waited longest, so its percentiles look better than the
 * system is. Such a run must not pass silently.
 *
 * Thresholds, and why:
 * - dropped share at most 1 %: a percentile is only trustworthy down to the share of samples
 *   that is missing; beyond 1 % even p99 describes a load that did not happen.
 * - achieved rate at least 95 % of the target: the generator's own timer may end a little
 *   late (a few ms of a short run), so the rate of started calls over the time the generator
 *   ran sits a little under the target in a healthy run; 5 % is far above that slack and far
 *   below any real shortfall (a starved generator, or calls not started).
 */
export const MAX_DROPPED_SHARE = 0.01;
export const MIN_ACHIEVED_RATE_SHARE = 0.95;

/** What each client's load generator reported: calls due, dropped, and how long it ran. */
export interface ClientLoadReport {
  /** Calls whose intended start fell before the end, from the generator's schedule. */
  readonly due: number;
  /** Due calls sent; absent in older reports, where it was due minus dropped by definition. */
  readonly started?: number;
  /** Calls not sent: dropped by the generator, or refused by the client at its in-flight limit. */
  readonly dropped: number;
  /** How long the generator kept starting calls. */
  readonly scheduleMs: number;
}

/** Sums what the clients reported; the target is the per-client rate times the clients. */
export function measureOfferedLoad(
  load: LoadOptions,
  clients: number,
  reports: readonly ClientLoadReport[],
  undeliveredAccepted: boolean,
): OfferedLoad {
  const due = reports.reduce((sum, report) => sum + report.due, 0);
  const dropped = reports.reduce((sum, report) => sum + report.dropped, 0);
  // The due calls of an open loop span due/rate of schedule, however fast the generator
  // ended (a call count ends at the last call's start): the rate is measured over the longer.
  const spanMs = (report: ClientLoadReport) =>
    load.executor === 'constant-arrival-rate'
      ? Math.max(report.scheduleMs, (report.due / load.ratePerSec) * 1000)
      : report.scheduleMs;
  const scheduleMs = Math.max(0, ...reports.map(spanMs));
  const started = reports.reduce(
    (sum, report) => sum + (report.started ?? Math.max(0, report.due - report.dropped)),
    0,
  );
  return {
    executor: load.executor,
    targetPerSec: load.executor === 'constant-arrival-rate' ? load.ratePerSec * clients : undefined,
    achievedPerSec: scheduleMs > 0 ? (started / scheduleMs) * 1000 : 0,
    due,
    started,
    dropped,
    droppedShare: due > 0 ? dropped / due : 0,
    unaccounted: Math.max(0, due - started - dropped),
    scheduleMs,
    undeliveredAccepted,
  };
}

/** Adds the clients' start-lateness histograms (compressed base64, µs), merged; none for a closed loop. */
export function withStartLateness(offered: OfferedLoad, encoded: readonly string[]): OfferedLoad {
  if (encoded.length === 0) return offered;
  return { ...offered, startLateness: summarize(mergeHistograms(encoded)) };
}

/** Why the offered load fell short, or undefined when it was delivered. */
export function offeredLoadShortfall(offered: OfferedLoad): string | undefined {
  const problems: string[] = [];
  if (offered.due === 0) problems.push('no call fell due');
  if ((offered.unaccounted ?? 0) > 0)
    problems.push(`${offered.unaccounted} calls fell due but were neither started nor counted as dropped`);
  if (offered.droppedShare > MAX_DROPPED_SHARE)
    problems.push(`dropped ${percent(offered.droppedShare)} of calls due (at most ${percent(MAX_DROPPED_SHARE)})`);
  if (offered.targetPerSec !== undefined && offered.achievedPerSec < offered.targetPerSec * MIN_ACHIEVED_RATE_SHARE) {
    problems.push(
      `achieved ${rate(offered.achievedPerSec)} of ${rate(offered.targetPerSec)} asked ` +
        `(at least ${percent(MIN_ACHIEVED_RATE_SHARE)})`,
    );
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** The warning line reporters show when the load fell short, accepted or not. */
export function offeredLoadWarning(offered: OfferedLoad): string | undefined {
  const shortfall = offeredLoadShortfall(offered);
  if (shortfall === undefined) return undefined;
  return (
    `offered load not delivered: ${describe(offered)}; ` +
    (offered.undeliveredAccepted
      ? 'accepted by the scenario option acceptUndeliveredLoad'
      : 'the run does not pass (set acceptUndeliveredLoad to accept it)')
  );
}

export const offeredLoadDelivered: Check = {
  id: 'offered-load-delivered',
  title: 'The harness offered the load that was asked for',
  expectation:
    `every due call started or counted as dropped, dropped share <= ${percent(MAX_DROPPED_SHARE)} ` +
    `and achieved rate >= ${percent(MIN_ACHIEVED_RATE_SHARE)} of target (or the scenario accepts undelivered load)`,
  evaluate: ({ offeredLoad }) => {
    if (offeredLoad === undefined) return { passed: false, actual: 'not measured: no client reported its load' };
    const shortfall = offeredLoadShortfall(offeredLoad);
    // A skipped call is a harness fault, never "undelivered load" a scenario may accept.
    const accepted = shortfall !== undefined && offeredLoad.undeliveredAccepted && !offeredLoad.unaccounted;
    return {
      passed: shortfall === undefined || accepted,
      actual: `${describe(offeredLoad)}${accepted ? ' (accepted by acceptUndeliveredLoad)' : ''}`,
    };
  },
};

function describe(offered: OfferedLoad): string {
  const target = offered.targetPerSec === undefined ? 'closed loop' : `target ${rate(offered.targetPerSec)}`;
  const lateness = offered.startLateness
    ? `, started late by p50 ${ms(offered.startLateness.p50)} p99 ${ms(offered.startLateness.p99)} ` +
      `max ${ms(offered.startLateness.max)}`
    : '';
  const unaccounted = offered.unaccounted ? `, unaccounted ${offered.unaccounted}` : '';
  return (
    `${target}, achieved ${rate(offered.achievedPerSec)}, started ${offered.started} of ${offered.due} due, ` +
    `dropped ${offered.dropped} (${percent(offered.droppedShare)})${unaccounted}${lateness}`
  );
}

function rate(perSec: number): string {
  return `${perSec.toFixed(perSec < 10 ? 2 : 0)}/s`;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 && share > 0 ? 2 : 0)} %`;
}
