import { recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * One node of a three-node cluster is frozen (SIGSTOP) for 12 s, longer than net_ticktime
 * (5 s): its peers declare it down, its connections hang, then it resumes and rejoins.
 */
export default defineScenario({
  name: 'node-pause',
  description: 'three-node cluster, quorum request queue: one node is paused (SIGSTOP) longer than net_ticktime, then resumed',
  topology: { servers: 3, clients: 3, replyMode: 'callback-queue', prefetch: 10, confirmReplies: true, nodes: 3, queueType: 'quorum' },
  load: { executor: 'constant-arrival-rate', ratePerSec: 10, durationMs: 30_000, maxInFlight: 100 },
  maxN: 200,
  timeoutMs: 3_000,
  faults: [{ kind: 'pause-node', node: 2, trigger: { atMs: 5_000 }, durationMs: 12_000 }],
  checks: [recoveredAfterFaults],
  gates: ['wrong_results==0', 'mismatched_correlation==0', 'unavailability<5s', 'recovery_time<10s'],
  tracing: { sampleRatio: 0.1 },
});
