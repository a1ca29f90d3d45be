import { recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * One node is cut off from the other two (packets dropped between their loopback addresses,
 * every process keeps running) for 12 s, then the partition heals. With pause_minority the
 * isolated node pauses itself; the majority keeps the quorum queue available.
 */
export default defineScenario({
  name: 'partition-minority',
  description: 'three-node cluster, quorum request queue: one node is partitioned from the other two for 12 s, then healed (needs root)',
  topology: { servers: 3, clients: 3, replyMode: 'callback-queue', prefetch: 10, confirmReplies: true, nodes: 3, queueType: 'quorum' },
  load: { executor: 'constant-arrival-rate', ratePerSec: 10, durationMs: 30_000, maxInFlight: 100 },
  maxN: 200,
  timeoutMs: 3_000,
  faults: [{ kind: 'partition-node', node: 3, trigger: { atMs: 5_000 }, durationMs: 12_000 }],
  checks: [recoveredAfterFaults],
  gates: ['wrong_results==0', 'mismatched_correlation==0', 'unavailability<5s', 'recovery_time<10s'],
  tracing: { sampleRatio: 0.1 },
});
