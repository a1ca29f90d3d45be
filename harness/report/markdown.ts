import { errorCount, instant, int, ms, rate, seconds, withUnit } from './format.ts';
import { harnessOverheadLine, proxyText } from './harness-overhead-text.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { participantRows, segmentsHeadline } from './segment-participants.ts';
import { diagnose, diagnosisLines } from './diagnosis.ts';
import { lossDetectionRows } from './loss-detection-view.ts';
import { TABLE_GROUPS, errorGroupsLeftOut, groupTime, staleReplyVerb } from './error-groups-view.ts';
import { faultImpactLine, faultImpactRows } from './fault-impact-text.ts';
import { replyModeText, tapObservationText } from './tap-text.ts';

const icon = (passed: boolean) => (passed ? '✅ pass' : '❌ **FAIL**');

function verdictText(result: ScenarioResult): string {
  return result.verdict === 'pass'
    ? '✅ PASS'
    : result.verdict === 'fail'
      ? '❌ FAIL'
      : result.verdict === 'interrupted'
        ? '⏹️ INTERRUPTED'
        : '⚠️ HARNESS ERROR';
}

/** The implementations under test when they are external, and how the harness saw them. */
function tapLines(result: ScenarioResult): string[] {
  const impl = result.environment.implementations;
  const text = tapObservationText(result);
  if (!impl || !text) return [];
  return ['', `Server \`${cell(impl.server)}\` · client \`${cell(impl.client)}\` · ${text}`];
}

/** Title, description, the run's environment, the latency table and any interruption or warnings. */
function headerLines(result: ScenarioResult): string[] {
  const s = result.latency.summary;
  const env = result.environment;
  return [
    `## rpc-chaos: ${result.scenario.name} — ${verdictText(result)}`,
    '',
    cell(result.scenario.description),
    '',
    `${instant(result.run.startedAt)} · ${seconds(result.run.durationMs)} · ` +
      `${env.broker.kind} RabbitMQ ${env.broker.version} · ${replyModeText(result)} · ` +
      `${proxyText(env)} · ` +
      `${result.config.servers} servers, ${result.config.clients} clients · ` +
      `node ${env.node} · rpc-chaos ${env.harnessVersion} · seed ${result.run.seed}` +
      `${result.run.interrupted ? ' · **interrupted**' : ''}`,
    ...tapLines(result),
    '',
    ...[harnessOverheadLine(env)].filter((line) => line !== undefined).flatMap((line) => [cell(line), '']),
    '| p50 | p90 | p99 | p99.9 | max | mean | answered | throughput |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.p999)} | ${ms(s.max)} | ${ms(s.mean)} | ` +
      `${int(s.count)} | ${rate(result.throughput.callsPerSec)} |`,
    '',
    ...(result.verdict === 'interrupted'
      ? [
          '> ⏹️ **Interrupted:** a partial run. ' +
            'The checks and gates below judge only what was measured before the stop; it is neither a pass nor a fail.',
          '',
        ]
      : []),
    ...(result.warnings ?? []).flatMap((warning) => [`> ⚠️ **Warning:** ${cell(warning)}`, '']),
  ];
}

function checkLines(checks: ScenarioResult['checks']): string[] {
  const lines = ['### Checks', ''];
  if (checks.length === 0) lines.push('_No checks declared._');
  else
    lines.push(
      '| | check | must hold | measured |',
      '|---|---|---|---|',
      ...checks.map(
        (check) =>
          `| ${icon(check.passed)} | ${cell(check.title)} | ${cell(check.expectation)} | ${cell(check.actual)} |`,
      ),
    );
  return lines;
}

function gateLines(gates: ScenarioResult['gates']): string[] {
  const lines = ['', '### Gates', ''];
  if (gates.length === 0) lines.push('_No gates set._');
  else {
    lines.push(
      '| | gate | measured | threshold | detail |',
      '|---|---|---:|---:|---|',
      ...gates.map(
        (gate) =>
          `| ${icon(gate.passed)} | \`${cell(gate.expression)}\` | ${withUnit(gate.actual, gate.unit)} | ` +
          `${withUnit(gate.threshold, gate.unit)} | ${cell(gate.detail)} |`,
      ),
    );
  }
  return lines;
}

function counterLines(result: ScenarioResult): string[] {
  const c = result.counters;
  return [
    '',
    '### Counters',
    '',
    '| sent | answered | timed out | errors | wrong | dropped | ' +
      `${staleReplyVerb(result)} duplicate / late / unknown | ` +
      'redelivered | server kills / restarts | broker restarts |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${int(c.sent)}${c.notSent ? ` (+${int(c.notSent)} not sent)` : ''} | ${int(c.answered)} | ` +
      `${int(c.timedOut)} | ${int(errorCount(c))} | ` +
      `${int(c.wrongResult)} | ${int(c.dropped)} | ` +
      `${int(c.discarded.duplicate)} / ${int(c.discarded.late)} / ${int(c.discarded.unknown)} | ` +
      `${int(c.redelivered)} | ` +
      `${int(c.serverKills)} / ${int(c.serverRestarts)} | ${int(c.brokerRestarts)} |`,
  ];
}

/** Each fault for all clients together, then per client: the worst client in bold. */
function faultImpactLines(result: ScenarioResult): string[] {
  const line = faultImpactLine(result);
  if (!line) return [];
  const bold = (text: string, worst: boolean) => (worst ? `**${text}**` : text);
  return [
    '',
    '### Fault impact',
    '',
    cell(line),
    '',
    '| fault | clients | unavailable | recovered after end | baseline rate |',
    '|---|---|---:|---:|---:|',
    ...faultImpactRows(result).map(
      (row) =>
        `| ${cell(`${row.faultId} ${row.description}`)} | ${bold(cell(row.who), row.worst)} | ` +
        `${row.unavailable} | ${row.recovered} | ${row.baseline} |`,
    ),
  ];
}

function segmentLines(segments: NonNullable<ScenarioResult['segments']>): string[] {
  return [
    '',
    '### Segments',
    '',
    cell(segmentsHeadline(segments)),
    '',
    '| participant | host | started vs agreed | sent | answered | implementation | result folder |',
    '|---|---|---:|---:|---:|---|---|',
    ...participantRows(segments).map(
      (row) =>
        `| ${cell(row.who)} | ${cell(row.host)} | ${row.startOffset} | ${row.sent} | ${row.answered} | ` +
        `${cell(row.implementation)} | \`${cell(row.dir)}\` |`,
    ),
  ];
}

/** A failed run opens with why: the first failed check or gate, and the failed calls behind it. */
function whyLines(result: ScenarioResult): string[] {
  const diagnosis = diagnose(result);
  if (!diagnosis) return [];
  const [first, ...rest] = diagnosisLines(diagnosis);
  return [`> **Why:** ${cell(first!)}`, ...rest.flatMap((line) => ['>', `> ${cell(line)}`]), ''];
}

function errorGroupLines(result: ScenarioResult): string[] {
  const groups = result.errorGroups?.groups ?? [];
  if (groups.length === 0) return [];
  const leftOut = errorGroupsLeftOut(result, TABLE_GROUPS);
  return [
    '',
    '### Failed calls by error',
    '',
    '| calls | process | first | last | error (one example) |',
    '|---:|---|---:|---:|---|',
    ...groups
      .slice(0, TABLE_GROUPS)
      .map(
        (group) =>
          `| ${int(group.count)} | ${cell(group.process)} | ${groupTime(group.firstTMs)} | ` +
          `${groupTime(group.lastTMs)} | ${cell(group.example)} |`,
      ),
    ...(leftOut ? ['', `_${cell(leftOut)}_`] : []),
  ];
}

/** Blackhole detection times per process, when the run had a blackhole. */
function lossDetectionMarkdown(result: ScenarioResult): string[] {
  const rows = lossDetectionRows(result);
  if (rows.length === 0) return [];
  return [
    '',
    '### Blackhole detection (from its start)',
    '',
    '| fault | process | noticed after | through | how | reconnected after |',
    '| --- | --- | ---: | --- | --- | ---: |',
    ...rows.map(
      (each) =>
        `| ${each.fault} | ${cell(each.process)} | ${each.noticed} | ${each.through} | ${cell(each.how)} | ` +
        `${each.reconnected} |`,
    ),
  ];
}

/** summary.md, for $GITHUB_STEP_SUMMARY and similar CI job summaries (GitHub-flavoured Markdown). */
export function renderMarkdown(result: ScenarioResult): string {
  const lines = [
    ...headerLines(result),
    ...whyLines(result),
    ...checkLines(result.checks),
    ...gateLines(result.gates),
    ...faultImpactLines(result),
    ...counterLines(result),
    ...errorGroupLines(result),
    ...lossDetectionMarkdown(result),
    ...(result.segments ? segmentLines(result.segments) : []),
  ];
  if (result.harnessErrors.length > 0)
    lines.push('', '### ⚠️ Harness errors', '', ...result.harnessErrors.map((error) => `- ${cell(error)}`));
  lines.push(
    '',
    `<sub>run ${cell(result.run.id)} · ` +
      'open report.html in the run folder for charts, timeline and the duplicate-reply trace</sub>',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Table cells: a pipe would end the cell, a newline the row, and something that looks like a
 * tag would be taken as HTML. A bare `<` (as in `p99<250ms`) is left alone: inside a code
 * span an entity would show literally.
 */
function cell(text: string): string {
  return text
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}
