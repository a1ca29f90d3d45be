import { int, ms, rate, seconds } from './format.ts';
import type { ScenarioResult } from './result-schema.ts';

/** summary.md, for $GITHUB_STEP_SUMMARY and similar CI job summaries. */
export function renderMarkdown(result: ScenarioResult): string {
  const s = result.latency.summary;
  const c = result.counters;
  const icon = (passed: boolean) => (passed ? '✅' : '❌');
  const verdict = result.verdict === 'pass' ? '✅ PASS' : result.verdict === 'fail' ? '❌ FAIL' : '⚠️ HARNESS ERROR';
  const lines = [
    `## rpc-chaos: ${result.scenario.name} — ${verdict}`,
    '',
    `${result.scenario.description}`,
    '',
    `${seconds(result.run.durationMs)} · ${result.environment.broker.kind} RabbitMQ ${result.environment.broker.version} · ${result.environment.proxy.kind} proxy · ${result.environment.replyMode} · ${result.config.servers} servers, ${result.config.clients} clients · seed ${result.run.seed}${result.run.interrupted ? ' · **interrupted**' : ''}`,
    '',
    '| p50 | p90 | p99 | p99.9 | max | answered | throughput |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    `| ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.p999)} | ${ms(s.max)} | ${int(s.count)} | ${rate(result.throughput.callsPerSec)} |`,
    '',
    '| check | result | numbers |',
    '|---|:---:|---|',
    ...result.checks.map((check) => `| ${cell(check.title)} | ${icon(check.passed)} | ${cell(check.actual)} |`),
  ];
  if (result.gates.length > 0) {
    lines.push('', '| gate | result | detail |', '|---|:---:|---|', ...result.gates.map((gate) => `| \`${cell(gate.expression)}\` | ${icon(gate.passed)} | ${cell(gate.detail)} |`));
  }
  lines.push(
    '',
    '| sent | answered | timed out | errors | dropped | duplicates discarded | late discarded | unknown discarded | redelivered | server kills |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${int(c.sent)} | ${int(c.answered)} | ${int(c.timedOut)} | ${int(c.remoteErrors + c.connectionLost + c.otherErrors)} | ${int(c.dropped)} | ${int(c.discarded.duplicate)} | ${int(c.discarded.late)} | ${int(c.discarded.unknown)} | ${int(c.redelivered)} | ${int(c.serverKills)} |`,
  );
  if (result.harnessErrors.length > 0) lines.push('', '**Harness errors**', '', ...result.harnessErrors.map((error) => `- ${cell(error)}`));
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
