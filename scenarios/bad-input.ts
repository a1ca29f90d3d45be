import { badInputRejected } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/** Malformed request bodies mixed into the load: error replies, and the servers keep serving. */
export default defineScenario({
  name: 'bad-input',
  description: 'every 5th request body is malformed; each gets an error reply and the servers keep serving',
  tags: ['input'],
  topology: { servers: 1, clients: 1, replyMode: 'callback-queue', prefetch: 10, confirmReplies: false },
  load: { executor: 'constant-arrival-rate', ratePerSec: 100, durationMs: 3_000, maxInFlight: 200 },
  timeoutMs: 2_000,
  badInputEvery: 5,
  faults: [],
  checks: [badInputRejected],
  gates: ['errors==0'],
  tracing: { sampleRatio: 0.1 },
});
