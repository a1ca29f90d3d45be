import { duplicatesDiscarded, requestsRedelivered } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * The tutorial's race: a server dies after its reply is confirmed but before it acks, the
 * broker redelivers the request, another server answers it again, and the client must
 * discard the second reply. Two of the three servers are killed once each at that exact
 * point, so at least one server is always up and the run measures the race, not an outage.
 */
export default defineScenario({
  name: 'duplicate-reply',
  description:
    'servers die between reply and ack; ' +
    'the redelivered request is answered twice and the client must discard the duplicate',
  tags: ['seed', 'process'],
  topology: { servers: 3, clients: 1, replyMode: 'callback-queue', prefetch: 10, confirmReplies: true },
  load: { executor: 'constant-arrival-rate', ratePerSec: 100, durationMs: 5_000, maxInFlight: 1_000 },
  // Above maxInFlight + 2: an external client gets a distinct n for every call in flight.
  maxN: 1_100,
  timeoutMs: 3_000,
  faults: [
    { kind: 'kill-server-at-fault-point', server: 1, point: 'afterReplyBeforeAck', request: 30, restartAfterMs: 500 },
    { kind: 'kill-server-at-fault-point', server: 2, point: 'afterReplyBeforeAck', request: 100, restartAfterMs: 500 },
  ],
  checks: [duplicatesDiscarded, requestsRedelivered],
  gates: ['errors==0', 'discarded.duplicate>=2'],
  tracing: { sampleRatio: 1 },
});
