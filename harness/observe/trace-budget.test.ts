import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { AlwaysOnSampler, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { TraceBudgetSampler } from './trace-budget.ts';

const traceId = (i: number) => i.toString(16).padStart(32, '0');

function sampledOf(sampler: TraceBudgetSampler, calls: number, from = 0): number {
  let sampled = 0;
  for (let i = from; i < from + calls; i++) {
    if (
      sampler.shouldSample(ROOT_CONTEXT, traceId(i + 1), 'rpc_queue publish', SpanKind.PRODUCER, {}, []).decision ===
      SamplingDecision.RECORD_AND_SAMPLED
    )
      sampled++;
  }
  return sampled;
}

describe('TraceBudgetSampler', () => {
  it('starts at most perSecond traces a second, however fast calls come', () => {
    let now = 0;
    const sampler = new TraceBudgetSampler(new AlwaysOnSampler(), { perSecond: 200, total: 1_000_000 }, () => now);
    expect(sampledOf(sampler, 5_000)).toBe(200);
    now = 500;
    expect(sampledOf(sampler, 5_000)).toBe(100);
    now = 10_000;
    // A quiet spell does not bank more than one second's worth.
    expect(sampledOf(sampler, 5_000)).toBe(200);
    expect(sampler.counts).toEqual({ started: 500, refused: 14_500 });
  });

  it('stops starting traces once the total is spent', () => {
    let now = 0;
    const sampler = new TraceBudgetSampler(new AlwaysOnSampler(), { perSecond: 100, total: 250 }, () => now);
    let sampled = 0;
    for (let second = 0; second < 10; second++, now += 1_000) sampled += sampledOf(sampler, 1_000, second * 1_000);
    expect(sampled).toBe(250);
  });

  it('leaves a slow run alone: every call the ratio picks is traced', () => {
    let now = 0;
    const sampler = new TraceBudgetSampler(
      new TraceIdRatioBasedSampler(1),
      { perSecond: 200, total: 30_000 },
      () => now,
    );
    let sampled = 0;
    for (let i = 0; i < 1_000; i++, now += 10) sampled += sampledOf(sampler, 1, i); // 100 calls/s
    expect(sampled).toBe(1_000);
  });

  it('spends nothing on calls the ratio drops', () => {
    const sampler = new TraceBudgetSampler(new TraceIdRatioBasedSampler(0), { perSecond: 1, total: 1 }, () => 0);
    expect(sampledOf(sampler, 100)).toBe(0);
    expect(sampler.counts).toEqual({ started: 0, refused: 0 });
  });
});
