import { instant, int, ms, seconds } from '../../format.ts';
import { calibrationPathsText, overheadText, proxyText } from '../../harness-overhead-text.ts';
import type { ScenarioResult } from '../../../model/result-schema.ts';
import { escapeHtml } from '../escape.ts';
import { THEME_BUTTON } from '../page.ts';
import { renderFaultImpact } from './fault-impact.ts';
import { observedThroughTap, replyModeText, tapObservationText } from '../../tap-text.ts';

export { renderFaultImpact } from './fault-impact.ts';

/**
 * Scenario, verdict badge, and the facts needed to reproduce or compare the run; `lead` (a failed
 * run's diagnosis) goes right under the description, before the facts.
 */
export function renderHeader(result: ScenarioResult, lead = ''): string {
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
    ['proxy', env.proxy.reason ? `${proxyText(env)} (${env.proxy.reason})` : proxyText(env)],
    ...overheadFacts(env),
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
  ${lead}
  <div class="env" id="environment">${factCells}</div>
  ${renderFaultImpact(result)}`;
}

/** What the proxy and the tap added to a round trip, and each path's own, when the run measured them. */
function overheadFacts(env: ScenarioResult['environment']): Array<[string, string]> {
  const overhead = env.harnessOverhead;
  if (!overhead) return [];
  return [
    ['harness overhead', overheadText(overhead)],
    ['calibration', `${calibrationPathsText(overhead)} (${overhead.method})`],
  ];
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
