import { metricNames, resolveMetric, type MetricDefinition, type MetricKind } from './metrics.ts';

/**
 * Gate expressions, one per string:
 *
 *   gate    = metric op number [unit]
 *   metric  = [ "latency." ] ( "p" NUMBER | "p(" NUMBER ")" | "min" | "mean" | "max" )
 *           | "server.queue_wait." latency | "server.service." latency
 *           | "throughput" | "error_rate" | "errors" | "timeouts" | "dropped" | "sent" | "answered"
 *           | "wrong_results" | "mismatched_correlation" | "discarded.duplicate" | "discarded.late"
 *           | "discarded.unknown" | "redelivered" | "server_kills" | "reconnects" | "checks_failed"
 *   op      = "<" | "<=" | ">" | ">=" | "==" | "!="
 *   unit    = "us" | "ms" | "s"    (latency; a bare number means ms)
 *           | "/s"                 (throughput; optional)
 *           | "%"                  (error_rate; optional)
 *
 * Examples: `p99<50ms`, `p(99)<250`, `errors==0`, `throughput>=400/s`, `discarded.duplicate>=1`,
 * `error_rate<1%`. Spaces are allowed between the parts.
 */

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';
export const OPERATORS: readonly Operator[] = ['<=', '>=', '==', '!=', '<', '>'];

export interface ParsedGate {
  readonly expression: string;
  readonly metric: string;
  readonly definition: MetricDefinition;
  readonly operator: Operator;
  /** In the metric's unit: ms for latency, calls/s, percent, or a count. */
  readonly threshold: number;
  readonly unit: string;
}

export class GateParseError extends Error {
  constructor(expression: string, position: number, problem: string) {
    super(`bad gate "${expression}": ${problem}\n    ${expression}\n    ${' '.repeat(position)}^`);
    this.name = 'GateParseError';
  }
}

const UNITS_BY_KIND: Record<MetricKind, Record<string, number>> = {
  latency: { '': 1, ms: 1, us: 0.001, s: 1000 },
  rate: { '': 1, '/s': 1 },
  percent: { '': 1, '%': 1 },
  count: { '': 1 },
};
const DISPLAY_UNIT: Record<MetricKind, string> = { latency: 'ms', rate: '/s', percent: '%', count: '' };

export function parseGate(expression: string): ParsedGate {
  const text = expression;
  const metricMatch = /^\s*([A-Za-z_][A-Za-z0-9_.]*(?:\(\s*[0-9.]+\s*\))?)\s*/.exec(text);
  if (!metricMatch) throw new GateParseError(text, leadingSpace(text), `expected a metric, one of: ${metricNames().join(', ')}`);
  const rawMetric = metricMatch[1]!;
  const metric = normalizeMetric(rawMetric);
  const definition = resolveMetric(metric);
  if (!definition) throw new GateParseError(text, leadingSpace(text), `unknown metric "${rawMetric}"; valid metrics: ${metricNames().join(', ')}`);

  let position = metricMatch[0].length;
  const operator = OPERATORS.find((op) => text.startsWith(op, position));
  if (!operator) throw new GateParseError(text, position, `expected an operator (${OPERATORS.join(' ')}) after "${rawMetric}"`);
  position += operator.length;
  position += leadingSpace(text.slice(position));

  const numberMatch = /^-?\d+(?:\.\d+)?/.exec(text.slice(position));
  if (!numberMatch) throw new GateParseError(text, position, 'expected a number');
  const value = Number(numberMatch[0]);
  position += numberMatch[0].length;
  position += leadingSpace(text.slice(position));

  const unit = text.slice(position).trim();
  const units = UNITS_BY_KIND[definition.kind];
  const scale = units[unit];
  if (scale === undefined) {
    const allowed = Object.keys(units).filter((u) => u !== '');
    throw new GateParseError(text, position, `unit "${unit}" does not fit ${metric} (${definition.kind})${allowed.length ? `; use ${allowed.join(', ')} or none` : '; it takes a plain number'}`);
  }
  return { expression: expression.trim(), metric, definition, operator, threshold: value * scale, unit: DISPLAY_UNIT[definition.kind] };
}

/** `latency.p99` -> `p99`, `p(99.9)` -> `p99.9`, `p999` stays (resolved as p99.9). */
function normalizeMetric(raw: string): string {
  const withoutPrefix = raw.startsWith('latency.') ? raw.slice('latency.'.length) : raw;
  return withoutPrefix.replace(/\(\s*([0-9.]+)\s*\)$/, '$1');
}

function leadingSpace(text: string): number {
  return text.length - text.trimStart().length;
}

export function compare(actual: number, operator: Operator, threshold: number): boolean {
  switch (operator) {
    case '<': return actual < threshold;
    case '<=': return actual <= threshold;
    case '>': return actual > threshold;
    case '>=': return actual >= threshold;
    case '==': return actual === threshold;
    case '!=': return actual !== threshold;
  }
}
