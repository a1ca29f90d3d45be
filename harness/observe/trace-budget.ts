import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';

/**
 * How many new traces one process may start: at most `perSecond` on average (bursts up to
 * one second's worth) and `total` over its life. It bounds the span files of a long or fast
 * run: a call traced at 100 % writes about 2 KB of spans, so 200 000 calls a minute would
 * otherwise fill gigabytes. Only new (root) traces count: a server always records the
 * spans of a call its client chose to trace, so every kept trace stays whole.
 */
export interface TraceBudget {
  readonly perSecond: number;
  readonly total: number;
}

/** Far above what any catalogue scenario traces (100 calls/s per client), far below a saturated run. */
export const DEFAULT_TRACE_BUDGET: TraceBudget = { perSecond: 200, total: 30_000 };

/**
 * A sampler that asks `inner` (the ratio) first and then spends the budget: a trace the
 * ratio would keep but the budget cannot pay for is not recorded. A token bucket, as the
 * rate-limiting samplers of Jaeger and X-Ray do it.
 */
export class TraceBudgetSampler implements Sampler {
  private tokens: number;
  private lastRefillMs: number;
  private started = 0;
  private refused = 0;

  constructor(
    private readonly inner: Sampler,
    private readonly budget: TraceBudget,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(budget.perSecond > 0) || !(budget.total >= 0)) {
      throw new RangeError(
        `a trace budget needs perSecond > 0 and total >= 0, got ${budget.perSecond}/s and ${budget.total}`,
      );
    }
    this.tokens = Math.max(1, budget.perSecond);
    this.lastRefillMs = now();
  }

  shouldSample(
    context: Context,
    traceId: string,
    spanName: string,
    spanKind: SpanKind,
    attributes: Attributes,
    links: Link[],
  ): SamplingResult {
    const result = this.inner.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    if (result.decision !== SamplingDecision.RECORD_AND_SAMPLED) return result;
    return this.spend() ? result : { decision: SamplingDecision.NOT_RECORD };
  }

  /** Pays for one new trace the ratio chose: true if the budget allows it (and counts it either way). */
  spend(): boolean {
    if (this.started >= this.budget.total || !this.takeToken()) {
      this.refused++;
      return false;
    }
    this.started++;
    return true;
  }

  /** Traces started and traces the budget refused, for tests and diagnostics. */
  get counts(): { started: number; refused: number } {
    return { started: this.started, refused: this.refused };
  }

  toString(): string {
    return `TraceBudgetSampler{${this.inner.toString()}, ${this.budget.perSecond}/s, ${this.budget.total} in all}`;
  }

  private takeToken(): boolean {
    const now = this.now();
    const capacity = Math.max(1, this.budget.perSecond);
    this.tokens = Math.min(capacity, this.tokens + ((now - this.lastRefillMs) / 1000) * this.budget.perSecond);
    this.lastRefillMs = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
