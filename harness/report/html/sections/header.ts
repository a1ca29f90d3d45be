import { instant, ms, seconds } from '../../format.ts';
import type { ScenarioResult } from '../../result-schema.ts';
import { escapeHtml } from '../escape.ts';
import { THEME_BUTTON } from '../page.ts';

/** Scenario, verdict badge, and the facts needed to reproduce or compare the run. */
export function renderHeader(result: ScenarioResult): string {
  const env = result.environment;
  const load = result.config.load;
  const loadText = load.executor === 'constant-arrival-rate'
    ? `open loop ${load.ratePerSec}/s per client, max ${load.maxInFlight} in flight`
    : `closed loop, ${load.concurrency} callers per client`;
  const facts: Array<[string, string]> = [
    ['started', instant(result.run.startedAt)],
    ['duration', `${seconds(result.run.durationMs)}${result.run.interrupted ? ' (interrupted)' : ''}`],
    ['broker', `${env.broker.kind} RabbitMQ ${env.broker.version}`],
    ['reply mode', env.replyMode],
    ['proxy', `${env.proxy.kind} ${env.proxy.version}`],
    ['load', loadText],
    ['topology', `${result.config.servers} servers, ${result.config.clients} clients, prefetch ${result.config.prefetch}`],
    ['call timeout', `${ms(result.config.timeoutMs)}${result.config.confirmReplies ? ', confirmed replies' : ''}`],
    ['tracing', env.tracing.enabled ? `on, ${(env.tracing.sampleRatio * 100).toFixed(env.tracing.sampleRatio < 0.1 ? 1 : 0)} % sampled` : 'off'],
    ['node', `${env.node} on ${env.platform}, ${env.cpus} CPUs`],
    ['harness', `rpc-chaos ${env.harnessVersion}`],
    ['seed', String(result.run.seed)],
  ];
  const verdict = result.verdict === 'error' ? 'HARNESS ERROR' : result.verdict.toUpperCase();
  return `<header class="top"><h1>${escapeHtml(result.scenario.name)}</h1>
    <span class="verdict ${result.verdict}" id="verdict">${verdict}</span>
    ${result.run.interrupted ? '<span class="bad">interrupted by Ctrl-C: partial run</span>' : ''}
    ${THEME_BUTTON}</header>
  <div class="description">${escapeHtml(result.scenario.description)}</div>
  <div class="env" id="environment">${facts.map(([k, v]) => `<div><span class="k">${k}</span><span class="v" title="${escapeHtml(v)}">${escapeHtml(v)}</span></div>`).join('')}</div>`;
}
