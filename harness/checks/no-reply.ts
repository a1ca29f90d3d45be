/**
 * What must hold when servers consume requests and never reply (the no-reply scenario), beside
 * calls-end-by-timeout (checks/broker-fault-effects.ts): no client keeps calls pending once its
 * load is over, and no client's memory grows with the calls it gave up on. A client that files each call in a
 * pending table and forgets to take it out on timeout passes every other check and fails
 * these two: its pending count never returns to zero and its memory climbs for as long as
 * the servers stay silent (rabbot#8).
 */
import { rssSlope } from '../observe/rss-slope.ts';
import type { Check, CheckInput } from '../model/check.ts';
import type { ClientAfterLoad } from '../model/client-resources.ts';

/** A client's RSS may grow at most this share of its RSS after warm-up. */
export const RSS_GROWTH_LIMIT = 0.1;
/** RSS is the median over a window this long, at the end of warm-up and at the end of the load. */
export const RSS_WINDOW_MS = 4_000;
/** Warm-up when the run has no servers-stop-replying fault to end it. */
export const DEFAULT_WARM_UP_MS = 2_000;

const clientsOf = (input: CheckInput): readonly ClientAfterLoad[] => input.clientsAfterLoad ?? [];

const noClients = { passed: false, actual: 'no client reported' };

export const pendingCallsDrained: Check = {
  id: 'pending-calls-drained',
  title: "Each client's pending-call count returned to zero after its load",
  expectation: 'calls a client still holds once its load has ended = 0, for every client',
  evaluate: (input) => {
    const clients = clientsOf(input);
    if (clients.length === 0) return noClients;
    const parts = clients.map((client) => {
      const whose = client.seenBy === 'client' ? 'its own count' : 'calls never answered, as the line protocol shows';
      if (client.pendingAtEnd === undefined)
        return { passed: false, text: `${client.process}: did not say how many calls it still held` };
      return {
        passed: client.pendingAtEnd === 0,
        text:
          client.pendingAtEnd === 0
            ? `${client.process}: 0 pending (${whose})`
            : `${client.process}: still held ${client.pendingAtEnd} pending calls after its load ended (${whose})`,
      };
    });
    return { passed: parts.every((part) => part.passed), actual: parts.map((part) => part.text).join('; ') };
  },
};

/**
 * Where warm-up ends and the reference window starts: RSS_WINDOW_MS before the servers stopped
 * replying, so the reference is the client's memory in normal operation just before the silence;
 * in a run without that fault, DEFAULT_WARM_UP_MS after the load started.
 */
export function warmUpEndMs(input: Pick<CheckInput, 'faults'>): number {
  const silence = input.faults.find((fault) => fault.kind === 'servers-stop-replying' && fault.startMs !== undefined);
  return silence?.startMs === undefined ? DEFAULT_WARM_UP_MS : Math.max(0, silence.startMs - RSS_WINDOW_MS);
}

/**
 * Judged per client process from its RSS series: the median over the RSS_WINDOW_MS after warm-up
 * (the last seconds before the servers went silent) against the median over the last
 * RSS_WINDOW_MS of the load. Growth above RSS_GROWTH_LIMIT of the first fails; memory that shrinks
 * is bounded and passes. Medians, so a garbage collection's single low or high reading decides
 * nothing.
 */
export const clientMemoryBounded: Check = {
  id: 'client-memory-bounded',
  title: "Each client's memory stayed bounded while its calls went unanswered",
  expectation:
    `RSS over the last ${RSS_WINDOW_MS / 1000} s of the load <= ${(1 + RSS_GROWTH_LIMIT).toFixed(1)} x ` +
    `RSS over the ${RSS_WINDOW_MS / 1000} s before the servers stopped replying (medians), for every client`,
  evaluate: (input) => {
    const clients = clientsOf(input);
    if (clients.length === 0) return noClients;
    const warmUpMs = warmUpEndMs(input);
    const parts = clients.map((client) => {
      const slope = rssSlope(
        client.process,
        client.rss.map((sample) => ({ tMs: sample.tMs, rssMb: sample.rssBytes / 2 ** 20 })),
        { warmUpMs, windowMs: RSS_WINDOW_MS },
      );
      if (!slope)
        return {
          passed: false,
          text: `${client.process}: too few RSS samples from ${formatS(warmUpMs)} on to judge`,
        };
      const passed = slope.growth <= RSS_GROWTH_LIMIT;
      return {
        passed,
        text:
          `${client.process}: ${slope.warmRssMb.toFixed(1)} MB at ${formatS(warmUpMs)}-` +
          `${formatS(warmUpMs + RSS_WINDOW_MS)}, ` +
          `${slope.endRssMb.toFixed(1)} MB at the end (${formatGrowth(slope.growth)}, ` +
          `slope ${slope.slopeMbPerMin.toFixed(1)} MB/min, ${slope.samples} samples)` +
          (passed ? '' : `: grew more than ${RSS_GROWTH_LIMIT * 100} %`),
      };
    });
    return { passed: parts.every((part) => part.passed), actual: parts.map((part) => part.text).join('; ') };
  },
};

function formatS(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function formatGrowth(growth: number): string {
  return `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %`;
}
