import { describe, expect, it } from 'vitest';
import { makeSyntheticResult } from '../../../bench/synthetic-result.ts';
import { renderHeader, tracingText } from './header.ts';

function withTracing(sent: number, sampleRatio: number, tracedCalls: number) {
  const base = makeSyntheticResult();
  return makeSyntheticResult({
    counters: { ...base.counters, sent },
    environment: {
      ...base.environment,
      tracing: { enabled: true, sampleRatio, budget: { perSecond: 200, total: 30_000 } },
    },
    traces: { ...base.traces, tracedCalls },
  });
}

describe('run header: tracing', () => {
  it('says when the trace budget capped sampling, with how many calls were traced', () => {
    const text = tracingText(withTracing(379_061, 1, 60_000));
    expect(text).toContain('100 % sampled');
    expect(text).toContain('at most 200 new traces/s and 30,000 in all per client');
    expect(text).toContain('60,000 of 379,061 calls traced (16 %): sampling was capped by the trace budget');
    expect(renderHeader(withTracing(379_061, 1, 60_000))).toContain('sampling was capped by the trace budget');
  });

  it('does not claim a cap when the ratio alone explains the traced calls', () => {
    const text = tracingText(withTracing(10_000, 0.01, 96));
    expect(text).toContain('96 of 10,000 calls traced (1.0 %)');
    expect(text).not.toContain('capped');
  });

  it('shows off when tracing is off', () => {
    const base = makeSyntheticResult();
    expect(
      tracingText(
        makeSyntheticResult({ environment: { ...base.environment, tracing: { enabled: false, sampleRatio: 0 } } }),
      ),
    ).toBe('off');
  });
});
