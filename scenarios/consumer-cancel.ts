import { serversConsumeAgain } from '../harness/checks/broker-fault-effects.ts';
import { recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * The request queue is deleted under the servers and declared again a second later: the broker
 * cancels their consumers with `basic.cancel`, and a server that does not consume again answers
 * nothing from then on. Requests published while the queue is gone come back unroutable (they
 * go out `mandatory`) and are accounted as such; with publisher confirms, a confirmed request
 * that no server answered and that did not expire fails the run.
 */
export default defineScenario({
  name: 'consumer-cancel',
  description:
    'the request queue is deleted and declared again under its consumers (basic.cancel); ' +
    'the servers consume again, no confirmed request is lost',
  tags: ['broker', 'production'],
  topology: {
    servers: 1,
    clients: 1,
    replyMode: 'callback-queue',
    prefetch: 10,
    confirmReplies: false,
    confirmRequests: true,
  },
  load: { executor: 'constant-arrival-rate', ratePerSec: 50, durationMs: 10_000, maxInFlight: 200 },
  // Above maxInFlight + 2: an external client gets a distinct n for every call in flight.
  maxN: 300,
  timeoutMs: 1_000,
  faults: [{ kind: 'delete-request-queue', trigger: { atMs: 2_000 }, redeclareAfterMs: 1_000 }],
  checks: [serversConsumeAgain, recoveredAfterFaults],
  gates: ['wrong_results==0', 'mismatched_correlation==0'],
  tracing: { sampleRatio: 0.2 },
});
