import { errorCount, int, ms, rate, seconds, withUnit } from './format.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { participantRows, segmentsHeadline } from './segment-participants.ts';

/** Open loop: the rate asked for and achieved, and how late the generator started calls. */
function loadRow(result: ScenarioResult): Array<[string, Array<[string, string, boolean?]>]> {
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

/**
 * The end-of-run summary for a terminal: verdict first, then aligned numbers, then every check
 * and gate with failures in red. `color: false` gives plain text (pipes, CI logs, NO_COLOR).
 */
export function formatTerminalSummary(result: ScenarioResult, options: { color: boolean }): string {
  const paint = (code: string) => (text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const green = paint('32');
  const red = paint('31');
  const bold = paint('1');
  const dim = paint('2');
  const status = (passed: boolean) => (passed ? green('PASS') : red(bold('FAIL')));
  const yellow = paint('33');
  const verdictText =
    result.verdict === 'pass'
      ? green(bold('PASS'))
      : result.verdict === 'fail'
        ? red(bold('FAIL'))
        : result.verdict === 'interrupted'
          ? yellow(bold('INTERRUPTED'))
          : red(bold('HARNESS ERROR'));
  const { counters: c, latency } = result;
  const s = latency.summary;
  const env = result.environment;
  const grid: Array<[string, Array<[string, string, boolean?]>]> = [
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
      ],
    ],
    [
      'discarded',
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
  // Column widths from the widest name and value in each column, so the rows line up.
  const nameWidth = (col: number) => Math.max(...grid.map(([, cells]) => cells[col]?.[0].length ?? 0));
  const valueWidth = (col: number) => Math.max(...grid.map(([, cells]) => cells[col]?.[1].length ?? 0));
  const gridCell = ([name, value, alert]: [string, string, boolean?], col: number) =>
    `${dim(name.padEnd(nameWidth(col)))} ${(alert ? red : (t: string) => t)(value.padStart(valueWidth(col)))}`;
  const row = ([label, cells]: (typeof grid)[number]) => `  ${dim(label.padEnd(10))}${cells.map(gridCell).join('   ')}`;
  const partial =
    result.verdict === 'interrupted'
      ? yellow('  partial run: the checks and gates below judge only what was measured before the stop')
      : '';
  const lines = [
    '',
    `${bold(result.scenario.name)}  ${verdictText}${partial}`,
    dim(
      `  ${seconds(result.run.durationMs)} · ${env.broker.kind} RabbitMQ ${env.broker.version} · ` +
        `${env.replyMode} · ${env.proxy.kind} proxy · seed ${result.run.seed}`,
    ),
    ...(env.implementations && (env.implementations.server !== 'builtin' || env.implementations.client !== 'builtin')
      ? [dim(`  server ${env.implementations.server} · client ${env.implementations.client}`)]
      : []),
    ...(result.segments ? [dim(`  ${segmentsHeadline(result.segments)}`)] : []),
    '',
    ...grid.map(row),
  ];
  if (result.segments) {
    const rows = participantRows(result.segments);
    const width = (pick: (r: (typeof rows)[number]) => string) => Math.max(...rows.map((r) => pick(r).length));
    const [who, host, offset, sent] = [
      width((r) => r.who),
      width((r) => r.host),
      width((r) => r.startOffset),
      width((r) => r.sent),
    ];
    lines.push(
      '',
      `  ${bold('segments')}`,
      ...rows.map((r) =>
        dim(
          `  ${r.who.padEnd(who)}  ${r.host.padEnd(host)}  started ${r.startOffset.padStart(offset)}  ` +
            `sent ${r.sent.padStart(sent)}  answered ${r.answered}`,
        ),
      ),
    );
  }
  // Right under the numbers: a run that did not happen as asked must not read like one that did.
  for (const warning of result.warnings ?? []) lines.push('', red(bold(`  WARNING: ${warning}`)));
  if (result.checks.length > 0) {
    lines.push('', `  ${bold('checks')}`);
    const width = Math.max(...result.checks.map((check) => check.title.length));
    for (const check of result.checks) {
      lines.push(
        `  ${status(check.passed)}  ${check.title.padEnd(width)}  ` +
          `${check.passed ? dim(check.actual) : `${red(check.actual)}  ${dim(`(must hold: ${check.expectation})`)}`}`,
      );
    }
  }
  if (result.gates.length > 0) {
    lines.push('', `  ${bold('gates')}`);
    const width = Math.max(...result.gates.map((gate) => gate.expression.length));
    const numbers = result.gates.map(
      (gate) => `${withUnit(gate.actual, gate.unit)} vs ${withUnit(gate.threshold, gate.unit)}`,
    );
    const numbersWidth = Math.max(...numbers.map((n) => n.length));
    result.gates.forEach((gate, i) => {
      const text = numbers[i]!.padEnd(numbersWidth);
      lines.push(
        `  ${status(gate.passed)}  ${gate.expression.padEnd(width)}  ` +
          `${gate.passed ? text : red(text)}  ${dim(gate.detail)}`,
      );
    });
  }
  if (result.harnessErrors.length > 0)
    lines.push('', red(bold('  harness errors')), ...result.harnessErrors.map((error) => `  - ${error}`));
  if (result.timeline.dropped > 0) lines.push(dim(`  (${int(result.timeline.dropped)} timeline events not kept)`));
  return lines.join('\n');
}
