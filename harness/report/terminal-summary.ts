import { formatGateTable } from '../gate/format-gates.ts';
import { int, ms, rate, seconds } from './format.ts';
import type { ScenarioResult } from './result-schema.ts';

/** The end-of-run summary for a terminal: verdict first, then the numbers, failures highlighted. */
export function formatTerminalSummary(result: ScenarioResult, options: { color: boolean }): string {
  const paint = (code: string) => (text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const green = paint('32');
  const red = paint('31');
  const bold = paint('1');
  const dim = paint('2');
  const verdictText = result.verdict === 'pass' ? green('PASS') : result.verdict === 'fail' ? red('FAIL') : red('HARNESS ERROR');
  const { counters: c, latency } = result;
  const s = latency.summary;
  const lines = [
    '',
    `${bold(result.scenario.name)}  ${verdictText}${result.run.interrupted ? red('  (interrupted)') : ''}  ${dim(`${seconds(result.run.durationMs)}, ${result.environment.broker.kind} RabbitMQ ${result.environment.broker.version}, ${result.environment.proxy.kind} proxy, ${result.environment.replyMode}, seed ${result.run.seed}`)}`,
    `  ${result.scenario.description}`,
    '',
    `  latency   p50 ${ms(s.p50)}   p90 ${ms(s.p90)}   p99 ${ms(s.p99)}   p99.9 ${ms(s.p999)}   max ${ms(s.max)}   ${dim(`(${int(s.count)} answered)`)}`,
    `  calls     sent ${int(c.sent)}   answered ${int(c.answered)}   timed out ${int(c.timedOut)}   errors ${int(c.remoteErrors + c.connectionLost + c.otherErrors)}   dropped ${int(c.dropped)}   ${rate(result.throughput.callsPerSec)}`,
    `  discarded duplicate ${int(c.discarded.duplicate)}   late ${int(c.discarded.late)}   unknown ${int(c.discarded.unknown)}   redelivered ${int(c.redelivered)}   server kills ${int(c.serverKills)}   broker restarts ${int(c.brokerRestarts)}`,
    '',
    '  checks',
    ...result.checks.map((check) => `  ${check.passed ? green('PASS') : red('FAIL')}  ${check.title}  ${dim(check.actual)}`),
  ];
  if (result.gates.length > 0) {
    lines.push('', '  gates', ...formatGateTable(result.gates).split('\n').map((line) => line.replace(/^ {2}(PASS|FAIL)/, (_m, word: string) => `  ${word === 'PASS' ? green(word) : red(word)}`)));
  }
  if (result.harnessErrors.length > 0) lines.push('', red('  harness errors'), ...result.harnessErrors.map((error) => `  - ${error}`));
  if (result.timeline.dropped > 0) lines.push(dim(`  (${result.timeline.dropped} timeline events not kept)`));
  return lines.join('\n');
}
