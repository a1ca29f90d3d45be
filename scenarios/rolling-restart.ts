import { recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * An operator's rolling restart: each node of a three-node cluster is stopped gracefully and
 * started again, one at a time. The quorum queue keeps a majority throughout, and every
 * client fails over to a live node while its own is down: the worst client's unavailability
 * is gated.
 */
export default defineScenario({
  name: 'rolling-restart',
  description: 'three-node cluster, quorum request queue: the nodes are restarted one at a time',
  tags: ['cluster', 'broker'],
  topology: {
    servers: 3,
    clients: 3,
    replyMode: 'callback-queue',
    prefetch: 10,
    confirmReplies: true,
    nodes: 3,
    queueType: 'quorum',
  },
  load: { executor: 'constant-arrival-rate', ratePerSec: 10, durationMs: 75_000, maxInFlight: 100 },
  maxN: 200,
  timeoutMs: 3_000,
  faults: [{ kind: 'rolling-restart', trigger: { atMs: 5_000 }, gapMs: 1_000 }],
  checks: [recoveredAfterFaults],
  gates: [
    'wrong_results==0',
    'mismatched_correlation==0',
    'unavailability<5s',
    'recovery_time<10s',
    'during(rolling-restart).unavailability.max<8s',
  ],
  tracing: { sampleRatio: 0.1 },
});
