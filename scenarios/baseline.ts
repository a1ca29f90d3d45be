import { defineScenario } from '../harness/scenario/define-scenario.ts';

/** No faults: the throughput and latency every other run is compared with. */
export default defineScenario({
  name: 'baseline',
  description: 'no faults: closed-loop throughput and latency of the RPC path, straight to the broker',
  tags: ['performance'],
  topology: { servers: 2, clients: 2, replyMode: 'callback-queue', prefetch: 20, confirmReplies: false },
  load: { executor: 'closed-loop', concurrency: 16, durationMs: 5_000 },
  timeoutMs: 3_000,
  faults: [],
  checks: [],
  gates: ['errors==0'],
  tracing: { sampleRatio: 0.01 },
});
