import { describe, expect, it } from 'vitest';
import { makeSyntheticResult } from '../bench/synthetic-result.ts';
import { ScenarioResultSchema, type ScenarioResult } from '../model/result-schema.ts';
import { renderHeader } from './html/sections/header.ts';
import { harnessOverheadLine, signedMs } from './harness-overhead-text.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { formatTerminalSummary } from './terminal-summary.ts';

const older = makeSyntheticResult({}, { durationSec: 2 });
const withEnvironment = (environment: Partial<ScenarioResult['environment']>): ScenarioResult => ({
  ...older,
  environment: { ...older.environment, ...environment },
});
const proxyless = withEnvironment({ proxy: { kind: 'none', version: '', reason: 'no network fault scheduled' } });
const measured = withEnvironment({
  proxy: { kind: 'builtin', version: '2.12.0', reason: '--proxy always' },
  harnessOverhead: {
    method: 'AMQP basic.qos round trips from the runner, paths interleaved',
    roundTrips: 200,
    costMs: 240,
    paths: [
      { path: 'direct', p50Ms: 0.26, p99Ms: 1.9 },
      { path: 'proxy', p50Ms: 0.33, p99Ms: 3.1 },
      { path: 'tap+proxy', p50Ms: 0.36, p99Ms: 3.0 },
    ],
    proxy: { p50Ms: 0.07, p99Ms: 1.2 },
    tap: { p50Ms: 0.03, p99Ms: -0.1 },
  },
});
const terminalHeader = (result: ScenarioResult) =>
  formatTerminalSummary(result, { color: false }).split('\n').slice(0, 5).join('\n');

describe('the proxy and the harness overhead in the reports', () => {
  it('says a run had no proxy, and why, in the terminal header, summary.md, report.html and junit.xml', () => {
    expect(terminalHeader(proxyless)).toContain('no proxy: no network fault scheduled');
    expect(renderMarkdown(proxyless)).toContain('no proxy: no network fault scheduled');
    expect(renderHeader(proxyless)).toContain('no proxy (no network fault scheduled)');
    expect(renderJunit(proxyless)).toContain('no proxy');
  });

  it('prints what the proxy and the tap added, signs kept, in one line', () => {
    const line = 'harness overhead: proxy +0.070 ms p50 / +1.20 ms p99, tap +0.030 ms p50 / −0.100 ms p99';
    expect(harnessOverheadLine(measured.environment)).toBe(`${line} (200 round trips per path, took 240 ms)`);
    expect(terminalHeader(measured)).toContain(line);
    expect(renderMarkdown(measured)).toContain(line);
    const html = renderHeader(measured);
    expect(html).toContain('proxy +0.070 ms p50');
    expect(html).toContain('direct p50 0.26 ms p99 1.90 ms, proxy p50 0.33 ms p99 3.10 ms');
  });

  it('renders an older result, which has neither field, as before', () => {
    expect(harnessOverheadLine(older.environment)).toBeUndefined();
    expect(terminalHeader(older)).not.toContain('overhead');
    expect(renderHeader(older)).not.toContain('harness overhead');
    const { harnessOverhead: _absent, ...environment } = older.environment;
    const json = JSON.stringify({
      ...older,
      environment: { ...environment, proxy: { kind: 'builtin', version: '2.12.0' } },
    });
    expect(ScenarioResultSchema.parse(JSON.parse(json)).environment.proxy.kind).toBe('builtin');
  });

  it('checks a result that claims a proxy kind it cannot have', () => {
    const json = JSON.stringify({
      ...older,
      environment: { ...older.environment, proxy: { kind: 'nginx', version: '1' } },
    });
    expect(ScenarioResultSchema.safeParse(JSON.parse(json)).success).toBe(false);
  });

  it('writes small differences with three decimals and a real minus sign', () => {
    expect(signedMs(0.0523)).toBe('+0.052 ms');
    expect(signedMs(-0.004)).toBe('−0.004 ms');
    expect(signedMs(1.4)).toBe('+1.40 ms');
  });
});
