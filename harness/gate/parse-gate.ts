import {
  lookupMetric,
  METRIC_NAMES_HELP,
  METRIC_UNIT,
  SUGGESTABLE_METRICS,
  type MetricDefinition,
  type MetricKind,
} from './metrics.ts';
import { selectorProblem, SUGGESTABLE_FAULT_NAMES, type PhaseKind, type PhaseSelector } from './phase-faults.ts';
import { phaseMetric, type PhaseMetric } from './phase-metrics.ts';
import { closestName } from '../closest-name.ts';

/**
 * Gate expressions, one per string (spaces allowed between tokens):
 *
 *   gate       = [ phase "." ] metric op number [unit]
 *   phase      = ( "during" | "after" ) "(" fault ")"     see phase-faults.ts: which fault,
 *                which window; phase-metrics.ts: which metrics, read how
 *   metric     = [ "latency." ] statistic
 *              | "server.queue_wait." statistic | "server.service." statistic
 *              | "throughput" | "error_rate" | "unavailability" | "recovery_time"
 *              | "unavailability.max" | "recovery_time.max"    the worst client's (client-metrics.ts)
 *              | "errors" | "timeouts" | "dropped" | "sent"
 *              | "answered" | "wrong_results" | "mismatched_correlation" | "discarded.duplicate"
 *              | "discarded.late" | "discarded.unknown" | "redelivered" | "server_kills"
 *              | "reconnects" | "checks_failed"
 *   statistic  = "p" number | "p(" number ")" | "min" | "mean" | "max" | "avg" | "med"
 *                (p999 = p99.9; avg, med and p(99) are k6's spellings; server latency keeps
 *                 p50 p90 p99 p99.9 min mean max only)
 *   op         = "<" | "<=" | ">" | ">=" | "==" | "!="
 *   number     = digits [ "." digits ] | "." digits          (never negative)
 *   unit       = "us" | "µs" | "ms" | "s"   latency; a bare number is ms
 *              | "/s"                        throughput; optional
 *              | "%"                         error_rate; required, so that `error_rate<0.01`
 *                                            (a k6-style fraction) cannot silently mean 0.01 %
 *   counts take no unit.
 *
 * Examples: `p99<50ms`, `p(99)<250`, `latency.p99.9 <= 1s`, `errors==0`, `throughput>=400/s`,
 * `discarded.duplicate>=1`, `error_rate<1%`, `server.queue_wait.p99<5ms`,
 * `during(partition).p99<2s`, `after(fault-2).error_rate<1%`, `during(kill).unavailability<5s`.
 */

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';
export const OPERATORS: readonly Operator[] = ['<', '<=', '>', '>=', '==', '!='];

export interface ParsedGate {
  /** As written, trimmed: what reports show. */
  readonly expression: string;
  /** Canonical metric name (`p(99)` -> `p99`, `p999` -> `p99.9`). */
  readonly metric: string;
  readonly definition: MetricDefinition;
  readonly operator: Operator;
  /** In the metric's unit: ms for latency, calls/s, percent, or a count. */
  readonly threshold: number;
  /** The metric's unit: 'ms', '/s', '%' or '' for counts. */
  readonly unit: string;
  /** A phase gate: the metric read over a fault's window instead of the whole run. */
  readonly phase?: PhaseSelector & { readonly metric: PhaseMetric };
}

/** A gate that cannot be parsed: a configuration error (exit 2), never a failed gate. */
export class GateParseError extends Error {
  constructor(
    readonly expression: string,
    /** 0-based character offset of the problem in `expression`. */
    readonly position: number,
    readonly problem: string,
  ) {
    super(`bad gate "${expression}": ${problem}\n    ${expression}\n    ${' '.repeat(position)}^`);
    this.name = 'GateParseError';
  }
}

/** Factor from a written unit to the metric's unit; '' is a bare number. */
const UNITS: Readonly<Record<MetricKind, Readonly<Record<string, number>>>> = {
  latency: { '': 1, us: 0.001, µs: 0.001, ms: 1, s: 1000 },
  rate: { '': 1, '/s': 1 },
  percent: { '%': 1 },
  count: { '': 1 },
};
const UNIT_HELP: Readonly<Record<MetricKind, string>> = {
  latency: 'a latency takes us, ms or s (a bare number is ms)',
  rate: 'throughput takes /s or a bare number',
  percent: 'a rate takes % (error_rate<1%)',
  count: 'a count takes a plain number',
};

type TokenKind = 'word' | 'number' | 'operator' | '(' | ')' | '%' | '/' | 'end';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly position: number;
}

/** Parses one gate expression; throws GateParseError pointing at the first problem. */
export function parseGate(expression: string): ParsedGate {
  const prefix = parsePhasePrefix(expression);
  const tokens = tokenize(expression, prefix?.length ?? 0);
  let index = 0;
  const peek = (): Token => tokens[index]!;
  const next = (): Token => tokens[index++]!;
  function fail(token: Token, problem: string): never {
    throw new GateParseError(expression, token.position, problem);
  }
  const describe = (token: Token) => (token.kind === 'end' ? 'the end' : `"${token.text}"`);

  const metricToken = next();
  if (metricToken.kind !== 'word')
    fail(metricToken, `expected a metric, found ${describe(metricToken)}; metrics: ${METRIC_NAMES_HELP}`);
  let spelling = metricToken.text;
  if (peek().kind === '(') {
    // k6's p(99): fold into p99 so every spelling resolves through one table.
    const open = next();
    const percentile = next();
    if (percentile.kind !== 'number')
      fail(percentile, `expected a percentile inside "${spelling}(...)", found ${describe(percentile)}`);
    const close = next();
    if (close.kind !== ')')
      fail(close, `expected ")" to close the "(" at position ${open.position}, found ${describe(close)}`);
    spelling = `${spelling}${percentile.text}`;
  }
  const found = lookupMetric(spelling);
  if ('problem' in found) {
    const suggestion = closestName(spelling, SUGGESTABLE_METRICS);
    fail(
      metricToken,
      `${found.problem}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; metrics: ${METRIC_NAMES_HELP}`,
    );
  }
  const { definition } = found;

  const operatorToken = next();
  if (operatorToken.kind !== 'operator' || !OPERATORS.includes(operatorToken.text as Operator)) {
    const hint =
      operatorToken.text === '='
        ? ' ("=" is not an operator: use "==")'
        : operatorToken.text === '=>' || operatorToken.text === '=<'
          ? ` (write "${[...operatorToken.text].reverse().join('')}")`
          : '';
    fail(
      operatorToken,
      `expected an operator (${OPERATORS.join(' ')}) after "${spelling}", found ${describe(operatorToken)}${hint}`,
    );
  }
  const operator = operatorToken.text as Operator;

  const numberToken = next();
  if (numberToken.kind !== 'number') {
    fail(
      numberToken,
      `expected a number after "${operator}", ` +
        `found ${describe(numberToken)}${numberToken.text === '-' ? ' (metrics are never negative)' : ''}`,
    );
  }
  const value = Number(numberToken.text);

  const unitToken = peek();
  let unit = '';
  if (unitToken.kind === '%' || unitToken.kind === 'word') {
    unit = next().text;
  } else if (unitToken.kind === '/') {
    next();
    const per = next();
    unit = `/${per.kind === 'word' ? per.text : ''}`;
  }
  const units = UNITS[definition.kind];
  const scale = units[unit];
  if (scale === undefined) {
    const written = unit === '' ? 'a bare number' : `unit "${unit}"`;
    fail(
      unit === '' ? numberToken : unitToken,
      `${written} does not fit ${definition.name}: ${UNIT_HELP[definition.kind]}`,
    );
  }

  const rest = peek();
  if (rest.kind !== 'end')
    fail(rest, `unexpected ${describe(rest)} after the gate; write one gate per expression, e.g. "p99<50ms"`);

  const common = {
    expression: expression.trim(),
    definition,
    operator,
    threshold: value * scale,
    unit: METRIC_UNIT[definition.kind],
  };
  if (!prefix) return { ...common, metric: definition.name };
  const metric = phaseMetric(definition.name, prefix.kind);
  if ('problem' in metric) fail(metricToken, metric.problem);
  return {
    ...common,
    metric: `${prefix.kind}(${prefix.fault}).${definition.name}`,
    phase: { kind: prefix.kind, fault: prefix.fault, metric },
  };
}

/**
 * `during(partition).` / `after(2).` in front of a metric. Fault names hold "-", which the
 * metric tokenizer reads as a minus sign, so the prefix is taken apart here, by hand.
 */
function parsePhasePrefix(expression: string): (PhaseSelector & { readonly length: number }) | undefined {
  const head = /^\s*(during|after)(?![A-Za-z0-9_])\s*/.exec(expression);
  if (!head) return undefined;
  const kind = head[1] as PhaseKind;
  function fail(position: number, problem: string): never {
    throw new GateParseError(expression, position, problem);
  }
  let position = head[0].length;
  if (expression[position] !== '(')
    fail(position, `expected "(" after "${kind}": name the fault, e.g. ${kind}(partition).p99<2s`);
  const close = expression.indexOf(')', position);
  if (close < 0) fail(expression.length, `expected ")" to close the "(" at position ${position}`);
  const inside = expression.slice(position + 1, close);
  const fault = inside.trim();
  const faultAt = position + 1 + (inside.length - inside.trimStart().length);
  if (!/^[A-Za-z0-9_-]*$/.test(fault))
    fail(faultAt, `a fault name is a kind, family, id or index (letters, digits, "-"), not "${fault}"`);
  const problem = selectorProblem(fault);
  if (problem) {
    const suggestion = closestName(fault, SUGGESTABLE_FAULT_NAMES);
    fail(faultAt, `${problem}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
  }
  position = close + 1;
  while (/\s/.test(expression[position] ?? '')) position++;
  if (expression[position] !== '.')
    fail(position, `expected "." between ${kind}(${fault}) and the metric, e.g. ${kind}(${fault}).p99<2s`);
  return { kind, fault, length: position + 1 };
}

export function compare(actual: number, operator: Operator, threshold: number): boolean {
  switch (operator) {
    case '<':
      return actual < threshold;
    case '<=':
      return actual <= threshold;
    case '>':
      return actual > threshold;
    case '>=':
      return actual >= threshold;
    case '==':
      return actual === threshold;
    case '!=':
      return actual !== threshold;
  }
}

/**
 * Tokens with their offsets. Operator-like runs (`=`, `=>`, `<>`) become one operator
 * token so the parser can name the typo instead of stumbling over its second character.
 */
function tokenize(expression: string, from = 0): Token[] {
  const tokens: Token[] = [];
  const patterns: ReadonlyArray<readonly [TokenKind, RegExp]> = [
    ['number', /^(?:\d+(?:\.\d+)?|\.\d+)/],
    ['word', /^[A-Za-zµ_][A-Za-z0-9_.]*/],
    ['operator', /^[<>=!]+/],
    ['(', /^\(/],
    [')', /^\)/],
    ['%', /^%/],
    ['/', /^\//],
  ];
  let position = from;
  while (position < expression.length) {
    const rest = expression.slice(position);
    const space = /^\s+/.exec(rest);
    if (space) {
      position += space[0].length;
      continue;
    }
    const match = patterns
      .map(([kind, pattern]) => [kind, pattern.exec(rest)?.[0]] as const)
      .find(([, text]) => text !== undefined);
    if (!match) {
      const character = rest[0]!;
      const hint = character === '-' ? ' (metrics are never negative)' : '';
      throw new GateParseError(expression, position, `unexpected character "${character}"${hint}`);
    }
    tokens.push({ kind: match[0], text: match[1]!, position });
    position += match[1]!.length;
  }
  tokens.push({ kind: 'end', text: '', position: expression.length });
  return tokens;
}
