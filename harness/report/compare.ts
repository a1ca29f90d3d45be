import { errorCount, instant, int, ms, rate, signedPercent } from './format.ts';
import type { ScenarioResult } from '../model/result-schema.ts';

/** One compared metric; `better` says which direction is an improvement ('none' for plain counts). */
export interface CompareRow {
  readonly group: 'latency' | 'throughput' | 'counters';
  readonly label: string;
  readonly a: number;
  readonly b: number;
  readonly format: (value: number) => string;
  readonly better: 'lower' | 'higher' | 'none';
}

export interface Delta {
  /** `+1.13 ms (+51.7 %)`, or `same`. */
  readonly text: string;
  readonly tone: 'better' | 'worse' | 'same';
}

export function compareRows(a: ScenarioResult, b: ScenarioResult): CompareRow[] {
  const latency = (label: string, pick: (r: ScenarioResult) => number): CompareRow => ({
    group: 'latency',
    label,
    a: pick(a),
    b: pick(b),
    format: ms,
    better: 'lower',
  });
  const count = (
    label: string,
    pick: (r: ScenarioResult) => number,
    better: CompareRow['better'] = 'lower',
  ): CompareRow => ({ group: 'counters', label, a: pick(a), b: pick(b), format: int, better });
  return [
    latency('p50', (r) => r.latency.summary.p50),
    latency('p90', (r) => r.latency.summary.p90),
    latency('p99', (r) => r.latency.summary.p99),
    latency('p99.9', (r) => r.latency.summary.p999),
    latency('max', (r) => r.latency.summary.max),
    latency('mean', (r) => r.latency.summary.mean),
    {
      group: 'throughput',
      label: 'throughput',
      a: a.throughput.callsPerSec,
      b: b.throughput.callsPerSec,
      format: rate,
      better: 'higher',
    },
    count('sent', (r) => r.counters.sent, 'none'),
    count('answered', (r) => r.counters.answered, 'none'),
    count('timed out', (r) => r.counters.timedOut),
    count('errors', (r) => errorCount(r.counters)),
    count('wrong results', (r) => r.counters.wrongResult),
    count('dropped', (r) => r.counters.dropped),
    count('duplicates discarded', (r) => r.counters.discarded.duplicate, 'none'),
    count('late replies discarded', (r) => r.counters.discarded.late, 'none'),
    count('unknown replies discarded', (r) => r.counters.discarded.unknown, 'none'),
    count('redelivered', (r) => r.counters.redelivered, 'none'),
    count('server kills', (r) => r.counters.serverKills, 'none'),
    count('checks failed', (r) => r.checks.filter((c) => !c.passed).length),
    count('gates failed', (r) => r.gates.filter((g) => !g.passed).length),
  ];
}

export function delta(row: CompareRow): Delta {
  const diff = row.b - row.a;
  if (diff === 0) return { text: 'same', tone: 'same' };
  const percent = row.a === 0 ? Infinity * Math.sign(diff) : (diff / Math.abs(row.a)) * 100;
  const text = `${diff > 0 ? '+' : '−'}${row.format(Math.abs(diff))} (${signedPercent(percent)})`;
  if (row.better === 'none') return { text, tone: 'same' };
  return { text, tone: (row.better === 'lower' ? diff < 0 : diff > 0) ? 'better' : 'worse' };
}

/** A check or gate present in either run, with each run's verdict and numbers (undefined: not in that run). */
export interface VerdictPair {
  readonly kind: 'check' | 'gate';
  readonly name: string;
  readonly a?: { readonly passed: boolean; readonly numbers: string };
  readonly b?: { readonly passed: boolean; readonly numbers: string };
}

export function verdictPairs(a: ScenarioResult, b: ScenarioResult): VerdictPair[] {
  const checks = (r: ScenarioResult) =>
    new Map(r.checks.map((c) => [c.title, { passed: c.passed, numbers: c.actual }]));
  const gates = (r: ScenarioResult) =>
    new Map(r.gates.map((g) => [g.expression, { passed: g.passed, numbers: g.detail }]));
  const pairs = (
    kind: VerdictPair['kind'],
    ma: Map<string, VerdictPair['a']>,
    mb: Map<string, VerdictPair['b']>,
  ): VerdictPair[] =>
    [...new Set([...ma.keys(), ...mb.keys()])].map((name) => ({ kind, name, a: ma.get(name), b: mb.get(name) }));
  return [...pairs('check', checks(a), checks(b)), ...pairs('gate', gates(a), gates(b))];
}

export function runName(r: ScenarioResult): string {
  return `${r.scenario.name} · ${instant(r.run.startedAt)}`;
}

/** compare.md: the same tables as compare.html, for a pull request or a job summary. */
export function renderCompareMarkdown(a: ScenarioResult, b: ScenarioResult): string {
  const mark = (v: VerdictPair['a']) => (v === undefined ? '–' : v.passed ? '✅' : '❌');
  const lines = [
    '## rpc-chaos comparison',
    '',
    `- **A**: ${runName(a)} (${a.verdict.toUpperCase()}, ` +
      `${a.environment.broker.kind} RabbitMQ ${a.environment.broker.version}, ${a.environment.replyMode})`,
    `- **B**: ${runName(b)} (${b.verdict.toUpperCase()}, ` +
      `${b.environment.broker.kind} RabbitMQ ${b.environment.broker.version}, ${b.environment.replyMode})`,
    '',
    '| metric | A | B | B − A |',
    '|---|---:|---:|---:|',
    ...compareRows(a, b).map((row) => {
      const d = delta(row);
      return (
        `| ${row.label} | ${row.format(row.a)} | ${row.format(row.b)} | ` +
        `${d.tone === 'worse' ? '🔺 worse ' : d.tone === 'better' ? '🔻 better ' : ''}${d.text} |`
      );
    }),
    '',
    '| check or gate | A | B | B numbers |',
    '|---|:---:|:---:|---|',
    ...verdictPairs(a, b).map(
      (p) => `| ${p.kind}: ${cell(p.name)} | ${mark(p.a)} | ${mark(p.b)} | ${cell(p.b?.numbers ?? '')} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
