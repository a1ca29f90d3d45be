/**
 * Why a run failed, in two lines a reader sees first: the first failed check or gate (one that
 * fails as a side effect of another comes after it), and the
 * failed calls behind it: how many failed the same way, in which process, with which error,
 * and how long after the nearest fault or event before the first of them. A passing run has
 * none. Read from result.json alone (its checks, gates, error groups, faults and timeline), so
 * the terminal summary, summary.md and report.html say the same.
 */
import type { ErrorGroup } from '../model/error-groups.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { int } from './format.ts';

export interface Diagnosis {
  /** The first failed check or gate, or what stopped the run: `check failed: <title>: <measured>`. */
  readonly failed: string;
  /** The same, split for a page: `check failed: <title>` and what it measured. */
  readonly headline: string;
  readonly detail?: string;
  /** The largest group of failed calls and the nearest fault or event before its first failure. */
  readonly calls?: string;
}

/** A check's measured text can run long (every lost call named): the diagnosis keeps its start. */
const MAX_ACTUAL_CHARS = 240;

const shorten = (text: string, max = MAX_ACTUAL_CHARS) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const at = (tMs: number) => `${(tMs / 1000).toFixed(3)} s`;

export function diagnose(result: ScenarioResult): Diagnosis | undefined {
  if (result.verdict === 'pass') return undefined;
  const calls = failedCallsLine(result);
  const headline =
    result.verdict === 'interrupted'
      ? {
          headline: `interrupted (Ctrl-C or a signal) after ${at(result.run.durationMs)}`,
          detail: 'the checks judge a partial run',
        }
      : result.verdict === 'error'
        ? { headline: 'the harness could not run', detail: shorten(result.harnessErrors[0] ?? 'no reason recorded') }
        : firstFailed(result);
  return {
    failed: headline.detail ? `${headline.headline}: ${headline.detail}` : headline.headline,
    ...headline,
    ...(calls ? { calls } : {}),
  };
}

/**
 * Checks that usually fail as a side effect of another failure: a fault at the k-th request never
 * fires when the client died first, and a dead client cannot take the load offered to it. They
 * lead the diagnosis only when nothing else failed.
 */
const SIDE_EFFECT_CHECKS: ReadonlySet<string> = new Set(['faults-fired', 'offered-load-delivered']);

function firstFailed(result: ScenarioResult): { headline: string; detail?: string } {
  const failed = result.checks.filter((check) => !check.passed);
  const failedChecks = [
    ...failed.filter((check) => !SIDE_EFFECT_CHECKS.has(check.id)),
    ...failed.filter((check) => SIDE_EFFECT_CHECKS.has(check.id)),
  ];
  const failedGates = result.gates.filter((gate) => !gate.passed);
  const more = failedChecks.length + failedGates.length - 1;
  const andMore = more > 0 ? ` (and ${more} more failed ${more === 1 ? 'check or gate' : 'checks and gates'})` : '';
  const check = failedChecks[0];
  if (check) return { headline: `check failed: ${check.title}`, detail: `${shorten(check.actual)}${andMore}` };
  const gate = failedGates[0];
  if (gate) return { headline: `gate failed: ${gate.expression}`, detail: `${gate.detail}${andMore}` };
  return { headline: 'failed, but no check or gate says why' };
}

/** "410 calls failed in client-1 with '…'; the first failed 12 ms after a duplicate reply reached client-1". */
function failedCallsLine(result: ScenarioResult): string | undefined {
  const largest = result.errorGroups?.groups[0];
  if (!largest) return undefined;
  const calls = `${int(largest.count)} ${largest.count === 1 ? 'call' : 'calls'}`;
  const others = (result.errorGroups?.groups ?? []).slice(1).reduce((sum, group) => sum + group.count, 0);
  const rest = others > 0 ? ` (${int(others)} more failed otherwise: see the error groups)` : '';
  const before = nearestBefore(result, largest);
  const when = before
    ? `the first failed ${Math.round(largest.firstTMs - before.tMs)} ms after ${before.what}`
    : `the first failed at ${at(largest.firstTMs)}, before any fault or event`;
  return `${calls} failed in ${largest.process} with "${shorten(largest.example, 160)}"; ${when}${rest}`;
}

/** The last fault or notable event at or before the group's first failure. */
function nearestBefore(result: ScenarioResult, group: ErrorGroup): { tMs: number; what: string } | undefined {
  const candidates: Array<{ tMs: number; what: string }> = [];
  for (const fault of result.faults) {
    if (fault.fired && fault.startMs !== undefined)
      candidates.push({ tMs: fault.startMs, what: `the fault "${fault.description}" (${at(fault.startMs)})` });
  }
  for (const event of result.timeline.events) {
    const what = eventWords(event);
    if (what) candidates.push({ tMs: event.tMs, what: `${what} (${at(event.tMs)})` });
  }
  return candidates
    .filter((candidate) => candidate.tMs <= group.firstTMs)
    .reduce<{ tMs: number; what: string } | undefined>(
      (nearest, candidate) => (!nearest || candidate.tMs >= nearest.tMs ? candidate : nearest),
      undefined,
    );
}

function eventWords(event: ScenarioResult['timeline']['events'][number]): string | undefined {
  const { process } = event;
  switch (event.kind) {
    case 'duplicate-delivered':
    case 'late-delivered':
    case 'unknown-delivered':
      return `a ${event.kind.replace('-delivered', '')} reply reached ${process}`;
    case 'discard-duplicate':
    case 'discard-late':
    case 'discard-unknown':
      return `${process} discarded a ${event.kind.replace('discard-', '')} reply`;
    case 'kill':
      return `${process} was killed`;
    case 'restart':
      return `${process} restarted`;
    case 'broker-restart':
      return 'the broker restarted';
    case 'connection-lost':
      return `${process} lost its connection`;
    case 'reconnect':
      return `${process} reconnected`;
    case 'connection-blocked':
      return `the broker blocked ${process}'s connection`;
    case 'connection-unblocked':
      return `the broker unblocked ${process}'s connection`;
    case 'consumer-cancelled':
      return `the broker cancelled ${process}'s consumer`;
    default:
      return undefined;
  }
}

/** The diagnosis as plain lines, for the terminal and summary.md. */
export function diagnosisLines(diagnosis: Diagnosis): string[] {
  return [diagnosis.failed, ...(diagnosis.calls ? [diagnosis.calls] : [])];
}
