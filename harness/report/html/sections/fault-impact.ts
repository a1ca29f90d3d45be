import { int, ms, rate } from '../../format.ts';
import type { FaultImpactRecord, ScenarioResult } from '../../../model/result-schema.ts';
import { faultImpactRows, recoveryText, severalClients, worstClientText } from '../../fault-impact-text.ts';
import { faultLabel } from '../chart-data.ts';
import { escapeHtml } from '../escape.ts';

/**
 * What the faults cost, first thing under the run's facts: the worst unavailability and
 * recovery for all clients together (what the `unavailability` and `recovery_time` gates
 * judge), the worst client (what `unavailability.max` judges), then each fault's figures with
 * each client's under them.
 */
export function renderFaultImpact(result: ScenarioResult): string {
  const impacts = result.faultImpact ?? [];
  if (impacts.length === 0) return '';
  const worst = (pick: (i: (typeof impacts)[number]) => number | null, never: string) =>
    impacts.some((i) => pick(i) === null) ? never : ms(Math.max(...impacts.map((i) => pick(i)!)));
  const failedOf = (i: (typeof impacts)[number]) =>
    i.failed.timeout + i.failed.connectionLost + i.failed.notConnected + i.failed.other;
  const stat = (label: string, value: string, alert: boolean) =>
    `<div class="stat${alert ? ' alert' : ''}"><div class="label">${label}</div>` +
    `<div class="value">${escapeHtml(value)}</div></div>`;
  const unavailable = worst((i) => i.unavailabilityMs, 'never answered');
  const judged = impacts.filter((i) => i.baseline !== 'none');
  const recovery =
    judged.length === 0
      ? recoveryText(null, 'none')
      : judged.some((i) => i.recoveryMs === null)
        ? 'never recovered'
        : ms(Math.max(...judged.map((i) => i.recoveryMs!)));
  const worstClient = severalClients(impacts) ? worstClientText(impacts, 'worstUnavailability') : undefined;
  const rows = faultImpactRows(result)
    .map((row) => {
      const cells = (first: string, second: string, failed: string) =>
        `<td class="mono">${first}</td><td>${second}</td>
      <td class="num">${badIfNever(row.unavailable)}</td>
      <td class="num">${badIfNever(row.recovered)}</td>
      <td class="num">${failed}</td>`;
      if (row.who === 'all clients') {
        const fault = result.faults.find((f) => f.id === row.faultId);
        const impact = impacts.find((i) => i.faultId === row.faultId)!;
        const name = fault ? faultLabel(fault) : row.faultId;
        return `<tr>${cells(escapeHtml(row.faultId), `<b>${escapeHtml(name)}</b>`, int(failedOf(impact)))}</tr>`;
      }
      const who = `${escapeHtml(row.who)}${row.worst ? ' <span class="bad">worst</span>' : ''}`;
      return `<tr class="client">${cells('', `&nbsp;&nbsp;${who}`, '')}</tr>`;
    })
    .join('');
  return (
    `<div class="impact" id="fault-impact"><div class="stats">
      ${stat('unavailability (worst fault)', unavailable, unavailable === 'never answered')}
      ${worstClient ? stat('worst client (unavailable)', worstClient, worstClient.endsWith('never answered')) : ''}
      ${stat('recovery time (worst fault)', recovery, recovery === 'never recovered')}
      ${stat('calls failed in fault windows', int(impacts.reduce((sum, i) => sum + failedOf(i), 0)), false)}
      ${stat(baselineLabel(impacts[0]!.baseline), baselineValue(impacts[0]!), impacts[0]!.baseline === 'none')}
    </div>
    <table class="data"><thead><tr><th>fault</th><th></th><th class="num">unavailable</th>` +
    '<th class="num">recovered after end</th><th class="num">failed calls</th></tr></thead>' +
    `<tbody>${rows}</tbody></table>
    <div class="note">Unavailability: fault start to the first interval with an answered call; ` +
    'recovery: fault end to the first interval back within 10 % of the rate before the first fault ' +
    '(1 s resolution). Under each fault, the same for each client from its own calls: ' +
    'a client can answer nothing while the others keep the run answering.</div></div>'
  );
}

/** What recovery was judged against, as a figure and its label. */
function baselineLabel(baseline: FaultImpactRecord['baseline']): string {
  if (baseline === 'offered-load') return 'offered rate (fault in 1st s)';
  if (baseline === 'none') return 'recovery baseline';
  return 'rate before the first fault';
}

function baselineValue(impact: FaultImpactRecord): string {
  return impact.baseline === 'none' ? 'none before the fault' : rate(impact.baselinePerSec);
}

function badIfNever(text: string): string {
  return text === 'never answered' || text === 'never recovered' ? `<span class="bad">${text}</span>` : text;
}
