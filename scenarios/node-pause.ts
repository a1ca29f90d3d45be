import { recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * The node holding the request queue's leader is frozen (SIGSTOP) for 12 s, longer than
 * net_ticktime (5 s): its TCP connections stay open, so unlike a killed node nobody notices
 * at once. Every call stalls until the followers declare the leader gone (net_ticktime: 5 to
 * 6.25 s) and elect a new one; then the clients on the other nodes carry on and the frozen
 * node's client times out. Unavailability is therefore gated at 10 s, not 5 s as for a kill
 * (measured: 7 s, and 9.0 s in the last run, close to the gate); which node is paused is fixed to the leader's, since pausing a
 * follower would leave the queue available throughout.
 *
 * Found, and why this scenario fails its recovery_time gate today: after SIGCONT the cluster
 * does not take the node back. RabbitMQ 3.10.8 sees a partition (running_partitioned_network):
 * the resumed node lists itself alone as running and both peers in its partitions list, the
 * other two do not count it, and pause_minority never heals that (still split when last
 * checked, 58 s after SIGCONT); autoheal rejoins it only after about 62 s, RabbitMQ's own
 * safe-to-start timeout, which is no fix either. The gate stays at 10 s because that is the recovery wanted; the
 * pause test in harness/env/cluster/private-rabbit-cluster.test.ts pins down what happens.
 */
export default defineScenario({
  name: 'node-pause',
  description: 'three-node cluster, quorum request queue: the leader\'s node is paused (SIGSTOP) longer than net_ticktime, then resumed; fails recovery_time today: RabbitMQ 3.10.8 reports a partition after the resume and pause_minority never takes the node back',
  topology: { servers: 3, clients: 3, replyMode: 'callback-queue', prefetch: 10, confirmReplies: true, nodes: 3, queueType: 'quorum' },
  load: { executor: 'constant-arrival-rate', ratePerSec: 10, durationMs: 30_000, maxInFlight: 100 },
  maxN: 200,
  timeoutMs: 3_000,
  faults: [{ kind: 'pause-node', node: 'quorum-leader', trigger: { atMs: 5_000 }, durationMs: 12_000 }],
  checks: [recoveredAfterFaults],
  gates: ['wrong_results==0', 'mismatched_correlation==0', 'unavailability<10s', 'recovery_time<10s'],
  tracing: { sampleRatio: 0.1 },
});
