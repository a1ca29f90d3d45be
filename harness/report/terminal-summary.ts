import { errorCount, int, ms, rate, seconds, withUnit } from './format.ts';
import { harnessOverheadLine, proxyText } from './harness-overhead-text.ts';
import { observedThroughTap, replyModeText, tapObservationText } from './tap-text.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { participantRows, segmentsHeadline } from './segment-participants.ts';
import { diagnose, diagnosisLines } from './diagnosis.ts';
import { lossDetectionTextLines } from './loss-detection-view.ts';
import { TERMINAL_GROUPS, errorGroupLine, errorGroupsLeftOut, staleReplyVerb } from './error-groups-view.ts';
import { faultImpactLine } from './fault-impact-text.ts';

/** Open loop: the rate asked for and achieved, and how late the generator started calls. */
function loadRow(result: ScenarioResult): GridRow[] {
  const offered = result.offeredLoad;
  if (offered?.targetPerSec === undefined || offered.startLateness === undefined) return [];
  const late = offered.startLateness;
  return [
    [
      'load',
      [
        ['target', rate(offered.targetPerSec)],
        ['achieved', rate(offered.achievedPerSec)],
        ['late p50', ms(late.p50)],
        ['late p99', ms(late.p99)],
        ['late max', ms(late.max)],
      ],
    ],
  ];
}

type GridRow = [string, Array<[string, string, boolean?]>];

interface Palette {
  green: (text: string) => string;
  red: (text: string) => string;
  bold: (text: string) => string;
  dim: (text: string) => string;
  yellow: (text: string) => string;
  status: (passed: boolean) => string;
}

function palette(color: boolean): Palette {
  const paint = (code: string) => (text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const green = paint('32');
  const red = paint('31');
  const bold = paint('1');
  const dim = paint('2');
  const status = (passed: boolean) => (passed ? green('PASS') : red(bold('FAIL')));
  const yellow = paint('33');
  return { green, red, bold, dim, yellow, status };
}

function verdictText(result: ScenarioResult, { green, red, bold, yellow }: Palette): string {
  return result.verdict === 'pass'
    ? green(bold('PASS'))
    : result.verdict === 'fail'
      ? red(bold('FAIL'))
      : result.verdict === 'interrupted'
        ? yellow(bold('INTERRUPTED'))
        : red(bold('HARNESS ERROR'));
}

/** The aligned numbers: latency, calls, discarded replies, offered load and faults. */
function summaryGrid(result: ScenarioResult): GridRow[] {
  const { counters: c, latency } = result;
  const s = latency.summary;
  return [
    [
      'latency',
      [
        ['p50', ms(s.p50)],
        ['p90', ms(s.p90)],
        ['p99', ms(s.p99)],
        ['p99.9', ms(s.p999)],
        ['max', ms(s.max)],
      ],
    ],
    [
      'calls',
      [
        ['sent', int(c.sent)],
        ['answered', int(c.answered)],
        ['timed out', int(c.timedOut), c.timedOut > 0],
        ['errors', int(errorCount(c)), errorCount(c) > 0],
        ['rate', rate(result.throughput.callsPerSec)],
        // Calls never published while the client reconnected: neither sent nor among the errors.
        ...(c.notSent ? [['not sent', int(c.notSent), true] as [string, string, boolean]] : []),
      ],
    ],
    [
      staleReplyVerb(result),
      [
        ['duplicate', int(c.discarded.duplicate)],
        ['late', int(c.discarded.late)],
        ['unknown', int(c.discarded.unknown)],
        ['wrong', int(c.wrongResult), c.wrongResult > 0],
        ['dropped', int(c.dropped), c.dropped > 0],
      ],
    ],
    ...loadRow(result),
    [
      'faults',
      [
        ['kills', int(c.serverKills)],
        ['restarts', int(c.serverRestarts)],
        ['redelivered', int(c.redelivered)],
        ['broker rst', int(c.brokerRestarts)],
        ['reconnects', int(c.reconnects)],
      ],
    ],
  ];
}

function gridLines(grid: GridRow[], { dim, red }: Palette): string[] {
  // Column widths from the widest name and value in each column, so the rows line up.
  const nameWidth = (col: number) => Math.max(...grid.map(([, cells]) => cells[col]?.[0].length ?? 0));
  const valueWidth = (col: number) => Math.max(...grid.map(([, cells]) => cells[col]?.[1].length ?? 0));
  const gridCell = ([name, value, alert]: [string, string, boolean?], col: number) =>
    `${dim(name.padEnd(nameWidth(col)))} ${(alert ? red : (t: string) => t)(value.padStart(valueWidth(col)))}`;
  const row = ([label, cells]: GridRow) => `  ${dim(label.padEnd(10))}${cells.map(gridCell).join('   ')}`;
  return grid.map(row);
}

/** Name, verdict and the environment the run happened in. */
function headerLines(result: ScenarioResult, p: Palette): string[] {
  const { bold, dim, yellow } = p;
  const env = result.environment;
  const partial =
    result.verdict === 'interrupted'
      ? yellow('  partial run: the checks and gates below judge only what was measured before the stop')
      : '';
  return [
    '',
    `${bold(result.scenario.name)}  ${verdictText(result, p)}${partial}`,
    dim(
      `  ${seconds(result.run.durationMs)} · ${env.broker.kind} RabbitMQ ${env.broker.version} · ` +
        `${replyModeText(result)} · ${proxyText(env, false)} · seed ${result.run.seed}`,
    ),
    ...[harnessOverheadLine(env)].filter((line) => line !== undefined).map((line) => dim(`  ${line}`)),
    ...(env.implementations && observedThroughTap(result)
      ? [
          dim(`  server ${env.implementations.server} · client ${env.implementations.client}`),
          dim(`  ${tapObservationText(result)}`),
        ]
      : []),
    ...(result.segments ? [dim(`  ${segmentsHeadline(result.segments)}`)] : []),
  ];
}

function segmentLines(segments: NonNullable<ScenarioResult['segments']>, { bold, dim }: Palette): string[] {
  const rows = participantRows(segments);
  const width = (pick: (r: (typeof rows)[number]) => string) => Math.max(...rows.map((r) => pick(r).length));
  const [who, host, offset, sent] = [
    width((r) => r.who),
    width((r) => r.host),
    width((r) => r.startOffset),
    width((r) => r.sent),
  ];
  return [
    '',
    `  ${bold('segments')}`,
    ...rows.map((r) =>
      dim(
        `  ${r.who.padEnd(who)}  ${r.host.padEnd(host)}  started ${r.startOffset.padStart(offset)}  ` +
          `sent ${r.sent.padStart(sent)}  answered ${r.answered}  ${r.implementation}`,
      ),
    ),
  ];
}

function checkLines(checks: ScenarioResult['checks'], { bold, dim, red, status }: Palette): string[] {
  if (checks.length === 0) return [];
  const width = Math.max(...checks.map((check) => check.title.length));
  return [
    '',
    `  ${bold('checks')}`,
    ...checks.map(
      (check) =>
        `  ${status(check.passed)}  ${check.title.padEnd(width)}  ` +
        `${check.passed ? dim(check.actual) : `${red(check.actual)}  ${dim(`(must hold: ${check.expectation})`)}`}`,
    ),
  ];
}

function gateLines(gates: ScenarioResult['gates'], { bold, dim, red, status }: Palette): string[] {
  if (gates.length === 0) return [];
  const width = Math.max(...gates.map((gate) => gate.expression.length));
  const numbers = gates.map((gate) => `${withUnit(gate.actual, gate.unit)} vs ${withUnit(gate.threshold, gate.unit)}`);
  const numbersWidth = Math.max(...numbers.map((n) => n.length));
  return [
    '',
    `  ${bold('gates')}`,
    ...gates.map((gate, i) => {
      const text = numbers[i]!.padEnd(numbersWidth);
      return (
        `  ${status(gate.passed)}  ${gate.expression.padEnd(width)}  ` +
        `${gate.passed ? text : red(text)}  ${dim(gate.detail)}`
      );
    }),
  ];
}

/** A failed run opens with why: the first failed check or gate, and the failed calls behind it. */
function whyLines(result: ScenarioResult, { red, bold }: Palette): string[] {
  const diagnosis = diagnose(result);
  if (!diagnosis) return [];
  const [first, ...rest] = diagnosisLines(diagnosis);
  return ['', `  ${red(bold('why'))}  ${first}`, ...rest.map((line) => `       ${line}`)];
}

/** The failed calls by error text, largest groups first. */
function errorGroupLines(result: ScenarioResult, { bold, dim }: Palette): string[] {
  const groups = result.errorGroups?.groups ?? [];
  if (groups.length === 0) return [];
  const leftOut = errorGroupsLeftOut(result, TERMINAL_GROUPS);
  return [
    '',
    `  ${bold('failed calls by error')}`,
    ...groups.slice(0, TERMINAL_GROUPS).map((group) => `  ${errorGroupLine(group)}`),
    ...(leftOut ? [dim(`  ${leftOut}`)] : []),
  ];
}

/**
 * The end-of-run summary for a terminal: verdict first, then aligned numbers, then every check
 * and gate with failures in red. `color: false` gives plain text (pipes, CI logs, NO_COLOR).
 */
export function formatTerminalSummary(result: ScenarioResult, options: { color: boolean }): string {
  const p = palette(options.color);
  const { red, bold, dim } = p;
  const lines = [
    ...headerLines(result, p),
    ...whyLines(result, p),
    '',
    ...gridLines(summaryGrid(result), p),
    ...[faultImpactLine(result)].flatMap((line) => (line ? [`  ${dim('impact'.padEnd(10))}${line}`] : [])),
    ...(result.segments ? segmentLines(result.segments, p) : []),
    // Right under the numbers: a run that did not happen as asked must not read like one that did.
    ...(result.warnings ?? []).flatMap((warning) => ['', red(bold(`  WARNING: ${warning}`))]),
    ...checkLines(result.checks, p),
    ...gateLines(result.gates, p),
    ...errorGroupLines(result, p),
    ...lossDetectionTextLines(result),
  ];
  if (result.harnessErrors.length > 0)
    lines.push('', red(bold('  harness errors')), ...result.harnessErrors.map((error) => `  - ${error}`));
  if (result.timeline.dropped > 0) lines.push(dim(`  (${int(result.timeline.dropped)} timeline events not kept)`));
  return lines.join('\n');
}
