import { recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { replyQueueRenewed } from '../harness/checks/reply-queue-renewed.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

const TIMEOUT_MS = 1_500;

/**
 * The client's connection is cut while replies are on their way to it: its exclusive,
 * auto-delete callback queue is deleted with the connection, so the broker drops the replies
 * still addressed to it. Replies are held 400 ms on the servers' link around the cut, so that
 * some are always in flight. The calls waiting for them must end by timeout or error (never by
 * another call's reply); once reconnected, the client must consume a new callback queue and its
 * calls succeed again. One client: the clients' proxy carries every client's connection, so
 * closing its connections cuts exactly that client's.
 */
export default defineScenario({
  name: 'reply-queue-lost',
  description:
    "the client's connection is cut with replies in flight: its callback queue dies with it, " +
    'those calls end by timeout or error, and after reconnecting it uses a new callback queue',
  tags: ['network', 'production'],
  topology: { servers: 1, clients: 1, replyMode: 'callback-queue', prefetch: 10, confirmReplies: false },
  load: { executor: 'constant-arrival-rate', ratePerSec: 50, durationMs: 10_000, maxInFlight: 200 },
  // Above maxInFlight + 2: an external client gets a distinct n for every call in flight.
  maxN: 300,
  timeoutMs: TIMEOUT_MS,
  faults: [
    {
      kind: 'toxic',
      proxy: 'servers',
      toxic: { type: 'latency', stream: 'upstream', attributes: { latency: 400, jitter: 0 } },
      trigger: { atMs: 2_500 },
      durationMs: 1_500,
    },
    { kind: 'close-connections', proxy: 'clients', trigger: { atMs: 3_000 } },
  ],
  checks: [replyQueueRenewed(TIMEOUT_MS), recoveredAfterFaults],
  gates: ['wrong_results==0', 'mismatched_correlation==0'],
  tracing: { sampleRatio: 0.2 },
});
