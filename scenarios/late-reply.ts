import { lateRepliesDiscarded, recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * Replies slowed beyond the client's timeout: the calls time out, and the replies that
 * arrive afterwards must be discarded as stale, never resolving a later call.
 */
export default defineScenario({
  name: 'late-reply',
  description:
    "a latency toxic on the servers' replies outlasts the client timeout; late replies must be discarded as stale",
  tags: ['timing'],
  topology: { servers: 1, clients: 1, replyMode: 'callback-queue', prefetch: 10, confirmReplies: false },
  load: { executor: 'constant-arrival-rate', ratePerSec: 50, durationMs: 5_000, maxInFlight: 200 },
  // Above maxInFlight + 2: an external client gets a distinct n for every call in flight.
  maxN: 300,
  timeoutMs: 500,
  faults: [
    {
      kind: 'toxic',
      proxy: 'servers',
      toxic: { type: 'latency', stream: 'upstream', attributes: { latency: 900, jitter: 0 } },
      trigger: { atMs: 1_000 },
      durationMs: 1_500,
    },
  ],
  checks: [lateRepliesDiscarded, recoveredAfterFaults],
  gates: ['discarded.late>=1', 'wrong_results==0'],
  tracing: { sampleRatio: 1 },
});
