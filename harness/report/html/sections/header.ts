import { instant, int, ms, seconds } from '../../format.ts';
import type { ScenarioResult } from '../../../model/result-schema.ts';
import { faultLabel } from '../chart-data.ts';
import { escapeHtml } from '../escape.ts';
import { THEME_BUTTON } from '../page.ts';
import { observedThroughTap, replyModeText, tapObservationText } from '../../tap-text.ts';

/** Scenario, verdict badge, and the facts needed to reproduce or compare the run. */
export function renderHeader(result: ScenarioResult): string {
  const env = result.environment;
  const load = result.config.load;
  const loadText =
    load.executor === 'constant-arrival-rate'
      ? `open loop ${load.ratePerSec}/s per client, max ${load.maxInFlight} in flight`
      : `closed loop, ${load.concurrency} callers per client`;
  const facts: Array<[string, string]> = [
    ['started', instant(result.run.startedAt)],
    ['duration', `${seconds(result.run.durationMs)}${result.run.interrupted ? ' (interrupted)' : ''}`],
    ['broker', `${env.broker.kind} RabbitMQ ${env.broker.version}`],
    ['reply mode', replyModeText(result)],
    ['proxy', `${env.proxy.kind} ${env.proxy.version}`],
    ['load', loadText],
    [
      'topology',
      `${result.config.servers} servers, ${result.config.clients} clients, prefetch ${result.config.prefetch}`,
    ],
    ['call timeout', `${ms(result.config.timeoutMs)}${result.config.confirmReplies ? ', confirmed replies' : ''}`],
    ['tracing', tracingText(result)],
    ...(tapObservationText(result) ? [['observed', tapObservationText(result)!] as [string, string]] : []),
    ['node', `${env.node} on ${env.platform}, ${env.cpus} CPUs`],
    ['harness', `rpc-chaos ${env.harnessVersion}`],
    ['seed', String(result.run.seed)],
  ];
  const verdict = result.verdict === 'error' ? 'HARNESS ERROR' : result.verdict.toUpperCase();
  const stopped = result.run.interrupted
    ? '<span class="bad">stopped by Ctrl-C or a signal: a partial run, judged only on what was measured</span>'
    : '';
  const factCells = facts
    .map(
      ([k, v]) =>
        `<div><span class="k">${k}</span><span class="v" title="${escapeHtml(v)}">${escapeHtml(v)}</span></div>`,
    )
    .join('');
  return `<header class="top"><h1>${escapeHtml(result.scenario.name)}</h1>
    <span class="verdict ${result.verdict}" id="verdict">${verdict}</span>
    ${stopped}
    ${THEME_BUTTON}</header>
  <div class="description">${escapeHtml(result.scenario.description)}</div>
  <div class="env" id="environment">${factCells}</div>
  ${renderFaultImpact(result)}`;
}

/**
 * What the faults cost, first thing under the run's facts: the worst unavailability and
 * recovery (what the `unavailability` and `recovery_time` gates judge), then each fault's.
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
  const recovery = worst((i) => i.recoveryMs, 'never recovered');
  const rows = impacts
    .map((impact) => {
      const fault = result.faults.find((f) => f.id === impact.faultId);
      const name = fault ? faultLabel(fault) : impact.faultId;
      const unavailableCell =
        impact.unavailabilityMs === null ? '<span class="bad">never answered</span>' : ms(impact.unavailabilityMs);
      const recoveryCell =
        impact.recoveryMs === null ? '<span class="bad">never recovered</span>' : ms(impact.recoveryMs);
      return `<tr><td class="mono">${escapeHtml(impact.faultId)}</td><td><b>${escapeHtml(name)}</b></td>
      <td class="num">${unavailableCell}</td>
      <td class="num">${recoveryCell}</td>
      <td class="num">${int(failedOf(impact))}</td></tr>`;
    })
    .join('');
  return (
    `<div class="impact" id="fault-impact"><div class="stats">
      ${stat('unavailability (worst fault)', unavailable, unavailable === 'never answered')}
      ${stat('recovery time (worst fault)', recovery, recovery === 'never recovered')}
      ${stat('calls failed in fault windows', int(impacts.reduce((sum, i) => sum + failedOf(i), 0)), false)}
      ${stat('rate before the first fault', `${impacts[0]!.baselinePerSec.toFixed(1)}/s`, false)}
    </div>
    <table class="data"><thead><tr><th>fault</th><th></th><th class="num">unavailable</th>` +
    '<th class="num">recovered after end</th><th class="num">failed calls</th></tr></thead>' +
    `<tbody>${rows}</tbody></table>
    <div class="note">Unavailability: fault start to the first interval with an answered call; ` +
    'recovery: fault end to the first interval back within 10 % of the rate before the first fault ' +
    '(1 s resolution).</div></div>'
  );
}

/**
 * The sample ratio, the trace budget, and what they gave. When the budget cut sampling
 * (a long or fast run), the header says so: "2.1 % of calls traced" next to "100 % sampled"
 * would otherwise look like a bug.
 */
export function tracingText(result: ScenarioResult): string {
  const { tracing } = result.environment;
  if (!tracing.enabled) return 'off';
  const percent = (ratio: number) => `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.1 ? 1 : 0)} %`;
  const parts = [`on, ${percent(tracing.sampleRatio)} sampled`];
  if (tracing.budget)
    parts.push(
      `at most ${int(tracing.budget.perSecond)} new traces/s and ${int(tracing.budget.total)} in all per client`,
    );
  const { tracedCalls, error } = result.traces;
  const sent = result.counters.sent;
  const externalClient = (result.environment.implementations?.client ?? 'builtin') !== 'builtin';
  if (externalClient && observedThroughTap(result)) {
    // An external client starts no traces: a traced share of its calls would read as a cut budget.
    parts.push('the client is external and writes no spans (observed through the frame tap)');
  } else if (tracedCalls !== undefined && sent > 0) {
    const expected = tracing.sampleRatio * sent;
    // Ratio sampling is a coin per call: only a clear shortfall means the budget cut in.
    const cut = tracing.budget !== undefined && tracedCalls < 0.8 * expected && expected - tracedCalls > 20;
    parts.push(
      `${int(tracedCalls)} of ${int(sent)} calls traced (${percent(tracedCalls / sent)})` +
        `${cut ? ': sampling was capped by the trace budget' : ''}`,
    );
  }
  if (error) parts.push(error);
  return parts.join('; ');
}
