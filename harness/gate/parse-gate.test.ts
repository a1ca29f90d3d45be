import { describe, expect, it } from 'vitest';
import { GateParseError, parseGate } from './parse-gate.ts';

/** The GateParseError a bad expression throws (the test fails if it parses). */
function parseError(expression: string): GateParseError {
  try {
    parseGate(expression);
  } catch (error) {
    if (error instanceof GateParseError) return error;
    throw error;
  }
  throw new Error(`"${expression}" parsed, but should not have`);
}

describe('gate grammar: metric op number [unit]', { timeout: 10_000 }, () => {
  it.each([
    ['p99<50', '<'],
    ['p99<=50', '<='],
    ['p99>50', '>'],
    ['p99>=50', '>='],
    ['p99==50', '=='],
    ['p99!=50', '!='],
  ])('reads the operator of %s as %s', (expression, operator) => {
    expect(parseGate(expression)).toMatchObject({ metric: 'p99', operator, threshold: 50, unit: 'ms' });
  });

  it.each([
    ['p99<50ms', 50],
    ['p99<50', 50],
    ['p99<2s', 2000],
    ['p99<1.5s', 1500],
    ['p99<1500us', 1.5],
    ['p99<250µs', 0.25],
    ['p99<.5ms', 0.5],
    ['p99 < 50 ms', 50],
  ])('converts the latency threshold of %s to %d ms (a bare number is ms)', (expression, ms) => {
    expect(parseGate(expression)).toMatchObject({ threshold: ms, unit: 'ms' });
  });

  it('takes /s or a bare number for throughput, % for error_rate, nothing for counts', () => {
    expect(parseGate('throughput>=400/s')).toMatchObject({ metric: 'throughput', threshold: 400, unit: '/s' });
    expect(parseGate('throughput >= 400')).toMatchObject({ threshold: 400, unit: '/s' });
    expect(parseGate('error_rate<1%')).toMatchObject({ metric: 'error_rate', threshold: 1, unit: '%' });
    expect(parseGate('errors==0')).toMatchObject({ metric: 'errors', threshold: 0, unit: '' });
    expect(parseGate('discarded.duplicate>=1')).toMatchObject({
      metric: 'discarded.duplicate',
      operator: '>=',
      threshold: 1,
    });
  });

  it.each([
    ['p(99)<250', 'p99'],
    ['p(99.9)<250', 'p99.9'],
    ['p( 95 )<250', 'p95'],
    ['p999<250', 'p99.9'],
    ['p99.9<250', 'p99.9'],
    ['latency.p99<250', 'p99'],
    ['latency.p(99)<250', 'p99'],
    ['avg<250', 'mean'],
    ['med<250', 'p50'],
    ['latency.max<250', 'max'],
    ['server.queue_wait.p99<5', 'server.queue_wait.p99'],
    ['server.service.p(99.9)<5', 'server.service.p99.9'],
    ['server.service.p999<5', 'server.service.p99.9'],
  ])('accepts the spelling %s as the metric %s (k6 spellings included)', (expression, metric) => {
    expect(parseGate(expression).metric).toBe(metric);
  });

  it.each([
    'errors',
    'timeouts',
    'dropped',
    'sent',
    'answered',
    'wrong_results',
    'mismatched_correlation',
    'discarded.duplicate',
    'discarded.late',
    'discarded.unknown',
    'redelivered',
    'server_kills',
    'reconnects',
    'checks_failed',
  ])('knows the count %s', (metric) => {
    expect(parseGate(`${metric}>=0`)).toMatchObject({ metric, unit: '' });
  });

  it('keeps the expression as written (trimmed) for reports', () => {
    expect(parseGate('  p(99) < 250  ').expression).toBe('p(99) < 250');
  });
});

describe('gate parse errors point at the problem and list what is valid', { timeout: 10_000 }, () => {
  it.each([
    // expression, position of the caret, message
    ['latancy<5', 0, /unknown metric "latancy"; metrics: p50 p90 p95 p99/],
    ['  p98.x<5', 2, /unknown metric "p98.x"/],
    ['P99<5', 0, /unknown metric "P99" \(did you mean "p99"\?\)/],
    ['throughpt>5', 0, /did you mean "throughput"/],
    ['latency.throughput>5', 0, /unknown metric "latency.throughput"/],
    ['p0<5', 0, /unknown metric "p0"/],
    ['p101<5', 0, /unknown metric "p101"/],
    ['server.service.p95<5', 0, /server latency keeps only p50, p90, p99, p99.9, min, mean and max, not p95/],
    ['', 0, /expected a metric, found the end; metrics: /],
    ['50>p99', 0, /expected a metric, found "50"/],
    [
      'p99=5',
      3,
      /expected an operator \(< <= > >= == !=\) after "p99", found "=" \("=" is not an operator: use "=="\)/,
    ],
    ['p99 => 5', 4, /found "=>" \(write ">="\)/],
    ['p99 5', 4, /expected an operator .* found "5"/],
    ['p99<', 4, /expected a number after "<", found the end/],
    ['p99<abc', 4, /expected a number after "<", found "abc"/],
    ['p99<-5', 4, /unexpected character "-" \(metrics are never negative\)/],
    ['p(99<5', 4, /expected "\)" to close the "\(" at position 1, found "<"/],
    ['p()<5', 2, /expected a percentile inside "p\(...\)"/],
    ['p99<5kg', 5, /unit "kg" does not fit p99: a latency takes us, ms or s \(a bare number is ms\)/],
    ['errors<5ms', 8, /unit "ms" does not fit errors: a count takes a plain number/],
    ['throughput>5%', 12, /unit "%" does not fit throughput: throughput takes \/s or a bare number/],
    ['p99<5/s', 5, /unit "\/s" does not fit p99/],
    ['error_rate<1', 11, /a bare number does not fit error_rate: a rate takes % \(error_rate<1%\)/],
    ['error_rate<1ms', 12, /unit "ms" does not fit error_rate/],
    ['p99<5ms and errors==0', 8, /unexpected "and" after the gate; write one gate per expression/],
    ['p99<5ms)', 7, /unexpected "\)" after the gate/],
    ['p99<5 #', 6, /unexpected character "#"/],
  ])('refuses %j at position %d', (expression, position, message) => {
    const error = parseError(expression);
    expect(error.position).toBe(position);
    expect(error.message).toMatch(message);
  });

  it('draws a caret under the problem', () => {
    expect(parseError('p99<5kg').message).toBe(
      'bad gate "p99<5kg": unit "kg" does not fit p99: a latency takes us, ms or s (a bare number is ms)\n' +
        '    p99<5kg\n' +
        '         ^',
    );
  });
});
