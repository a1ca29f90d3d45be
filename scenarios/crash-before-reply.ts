import { noDuplicateReplies, requestsRedelivered } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * A server dies before replying: the request is redelivered and answered exactly once.
 * Prefetch 1 keeps the killed request the server's only unacked one, so no other request
 * was replied to and left unacked: any duplicate reply would be a bug.
 */
export default defineScenario({
  name: 'crash-before-reply',
  description:
    'a server dies before it replies; the broker redelivers and the call is answered exactly once, nothing lost',
  tags: ['process'],
  topology: { servers: 2, clients: 1, replyMode: 'callback-queue', prefetch: 1, confirmReplies: true },
  load: { executor: 'constant-arrival-rate', ratePerSec: 50, durationMs: 4_000, maxInFlight: 500 },
  // Above maxInFlight + 2: an external client gets a distinct n for every call in flight.
  maxN: 600,
  timeoutMs: 3_000,
  faults: [{ kind: 'kill-server-at-fault-point', server: 1, point: 'beforeReply', request: 30, restartAfterMs: 500 }],
  checks: [requestsRedelivered, noDuplicateReplies],
  gates: ['errors==0'],
  tracing: { sampleRatio: 1 },
});
