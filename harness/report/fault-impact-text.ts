import type { WorstClient } from '../model/client-impact.ts';
import type { FaultImpactRecord, ScenarioResult } from '../model/result-schema.ts';
import { ms, rate } from './format.ts';

/**
 * What the faults cost, in words every reporter shows alike: the worst fault for all clients
 * together, and beside it the worst client, which a merged series hides (a client that answered
 * nothing while the others kept answering).
 */

export function unavailableText(valueMs: number | null): string {
  return valueMs === null ? 'never answered' : ms(valueMs);
}

/** A missing recovery is "never" only when there was a rate to come back to. */
export function recoveryText(valueMs: number | null, baseline: FaultImpactRecord['baseline']): string {
  if (valueMs !== null) return ms(valueMs);
  return baseline === 'none' ? 'no baseline before the fault' : 'never recovered';
}

/** What recovery was measured against: `rate before the first fault 30.0/s`. */
export function baselineText(impact: Pick<FaultImpactRecord, 'baseline' | 'baselinePerSec'>): string {
  switch (impact.baseline) {
    case 'offered-load':
      return `offered rate ${rate(impact.baselinePerSec)} (the fault came in the first second)`;
    case 'none':
      return 'no baseline before the fault';
    default:
      return `rate before the first fault ${rate(impact.baselinePerSec)}`;
  }
}

/** Whether per-client figures say more than the figures for all clients: more than one client was judged. */
export function severalClients(impacts: readonly FaultImpactRecord[]): boolean {
  return impacts.some((impact) => (impact.clients?.length ?? 0) > 1);
}

/** The worst of the faults by one pick: null (never) before any time. */
export function worstFault<T>(
  impacts: readonly FaultImpactRecord[],
  pick: (impact: FaultImpactRecord) => T | undefined,
  valueOf: (value: T) => number | null,
): { impact: FaultImpactRecord; value: T } | undefined {
  let worst: { impact: FaultImpactRecord; value: T } | undefined;
  for (const impact of impacts) {
    const value = pick(impact);
    if (value === undefined) continue;
    const current = worst && valueOf(worst.value);
    const candidate = valueOf(value);
    if (!worst || (current !== null && (candidate === null || candidate > (current as number))))
      worst = { impact, value };
  }
  return worst;
}

/** `client-3 11.00 s` / `client-3 never answered`, for the worst client of the worst fault. */
export function worstClientText(
  impacts: readonly FaultImpactRecord[],
  which: 'worstUnavailability' | 'worstRecovery',
): string | undefined {
  const worst = worstFault<WorstClient>(
    impacts,
    (impact) => impact[which],
    (client) => client.ms,
  );
  if (!worst) return undefined;
  const value =
    which === 'worstUnavailability' ? unavailableText(worst.value.ms) : recoveryText(worst.value.ms, 'before-fault');
  return `${worst.value.client} ${value}`;
}

/**
 * One line for a terminal header: `fault impact  unavailability 999 ms, worst client client-3 11.00 s ·
 * recovery 1.50 s, worst client client-3 2.00 s · rate before the first fault 30.0/s`.
 */
export function faultImpactLine(result: ScenarioResult): string | undefined {
  const impacts = result.faultImpact ?? [];
  if (impacts.length === 0) return undefined;
  const unavailable = worstFault(
    impacts,
    (impact) => impact.unavailabilityMs,
    (value) => value,
  );
  const recovery = worstFault(
    impacts,
    (impact) => (impact.baseline === 'none' ? undefined : impact.recoveryMs),
    (value) => value,
  );
  const several = severalClients(impacts);
  const worstUnavailable = several ? worstClientText(impacts, 'worstUnavailability') : undefined;
  const worstRecovery = several ? worstClientText(impacts, 'worstRecovery') : undefined;
  const first = impacts[0]!;
  return [
    `unavailability ${unavailableText(unavailable?.value ?? null)}` +
      (worstUnavailable ? `, worst client ${worstUnavailable}` : ''),
    `recovery ${recovery ? recoveryText(recovery.value, 'before-fault') : recoveryText(null, 'none')}` +
      (worstRecovery ? `, worst client ${worstRecovery}` : ''),
    baselineText({ baseline: first.baseline, baselinePerSec: first.baselinePerSec }),
  ].join(' · ');
}

export interface FaultImpactRow {
  readonly faultId: string;
  readonly description: string;
  /** 'all clients' for the fault's own figures, else the client's name. */
  readonly who: string;
  readonly unavailable: string;
  readonly recovered: string;
  readonly baseline: string;
  /** This row is the worst client's unavailability or recovery of its fault. */
  readonly worst: boolean;
}

/** Per fault: all clients together, then each client judged (summary.md and report.html). */
export function faultImpactRows(result: ScenarioResult): FaultImpactRow[] {
  return (result.faultImpact ?? []).flatMap((impact) => [
    {
      faultId: impact.faultId,
      description: impact.description,
      who: 'all clients',
      unavailable: unavailableText(impact.unavailabilityMs),
      recovered: recoveryText(impact.recoveryMs, impact.baseline),
      baseline: impact.baseline === 'none' ? 'none' : rate(impact.baselinePerSec),
      worst: false,
    },
    // With one client, its figures are those of all clients.
    ...((impact.clients?.length ?? 0) > 1 ? impact.clients! : []).map((client) => ({
      faultId: impact.faultId,
      description: impact.description,
      who: client.client,
      unavailable: unavailableText(client.unavailabilityMs),
      recovered: recoveryText(client.recoveryMs, client.baseline),
      baseline: client.baseline === 'none' ? 'none' : rate(client.baselinePerSec),
      worst: impact.worstUnavailability?.client === client.client || impact.worstRecovery?.client === client.client,
    })),
  ]);
}
