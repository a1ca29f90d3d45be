import { createContextKey, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import type { TraceBudgetSampler } from './trace-budget.ts';

/**
 * Head sampling decided before any span exists. At 1 % sampling, 99 calls in 100 start no
 * trace; asking the SDK to start their spans anyway (two random ids as hex strings, a
 * sampler result, a non-recording span, metric attributes) costs several objects per call
 * for nothing. `newTraceParent()` answers with one random draw instead, so an unsampled
 * call allocates nothing for tracing; a sampled one gets a parent context that tells the
 * SDK's root sampler the decision was made (and paid for) already.
 *
 * Only new (root) traces are decided here. Spans with a parent follow it (ParentBased), so a
 * server traces exactly the calls its client chose to trace.
 */
export class HeadSampler implements Sampler {
  constructor(
    private readonly ratio: number,
    /** Caps how many of the traces the ratio picks are started; undefined: no cap. */
    private readonly budget: TraceBudgetSampler | undefined,
    private readonly random: () => number = Math.random,
  ) {}

  /** One decision for a new trace: the ratio draws, then the budget pays. */
  startsTrace(): boolean {
    if (!(this.random() < this.ratio)) return false;
    return this.budget ? this.budget.spend() : true;
  }

  /** The SDK's root decision: already taken for a parent from newTraceParent(), taken now for any other root span. */
  shouldSample(context: Context): SamplingResult {
    if (context.getValue(DECIDED_SAMPLED) === true) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    return { decision: this.startsTrace() ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
  }

  toString(): string {
    return `HeadSampler{${this.ratio}${this.budget ? `, ${this.budget.toString()}` : ''}}`;
  }
}

const DECIDED_SAMPLED = createContextKey('rpc-chaos.head-sampling.decided-sampled');
/** One shared context for every sampled new trace: the decision costs no allocation. */
const SAMPLED_ROOT = ROOT_CONTEXT.setValue(DECIDED_SAMPLED, true);

let active: HeadSampler | undefined;

/** Called by setupTracing with the sampler it registered, and with undefined when it shuts down. */
export function setActiveHeadSampler(sampler: HeadSampler | undefined): void {
  active = sampler;
}

/**
 * The parent context for the root span of a new trace, or undefined when the new trace is
 * not sampled (then start no span at all). When tracing was set up by other means than
 * setupTracing, ROOT_CONTEXT: the registered SDK's sampler decides as usual.
 */
export function newTraceParent(): Context | undefined {
  if (!active) return ROOT_CONTEXT;
  return active.startsTrace() ? SAMPLED_ROOT : undefined;
}
