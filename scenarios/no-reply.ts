import { faultDisruptedCalls, recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { callsEndByTimeout } from '../harness/checks/broker-fault-effects.ts';
import { clientMemoryBounded, pendingCallsDrained } from '../harness/checks/no-reply.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * Servers that consume and ack every request but never reply, for 12 s after a 10 s normal start:
 * each call must end by its own timeout, and a client must not keep what it gave up on, in its
 * pending calls or its memory (rabbot#8: pending replies that grow while servers never answer).
 */
export default defineScenario({
  name: 'no-reply',
  description:
    'servers consume and ack requests but never reply for 12 s; every call ends by its timeout, ' +
    "no client keeps pending calls, and clients' memory stays bounded",
  tags: ['process', 'production'],
  topology: { servers: 2, clients: 2, replyMode: 'callback-queue', prefetch: 10, confirmReplies: false },
  load: { executor: 'constant-arrival-rate', ratePerSec: 20, durationMs: 24_000, maxInFlight: 300 },
  // Above maxInFlight + 2: an external client gets a distinct n for every call in flight.
  maxN: 310,
  timeoutMs: 1_000,
  // 10 s of normal calls are the warm-up the memory check measures from (a Node client's heap grows
  // for its first 10-15 s under load); 2 s after the silence show that calls succeed again. 20 calls/s
  // keep the built-in client's garbage between major collections within a few % of its RSS.
  faults: [{ kind: 'servers-stop-replying', trigger: { atMs: 10_000 }, durationMs: 12_000 }],
  checks: [callsEndByTimeout, pendingCallsDrained, clientMemoryBounded, faultDisruptedCalls, recoveredAfterFaults],
  gates: ['wrong_results==0'],
});
