import { latencyReflectsInjected } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

const INJECTED_MS = 100;
const INJECTED = `${INJECTED_MS} ms latency toxic on replies to clients`;

/** A fixed latency on the clients' downstream: what the client measures must reflect it. */
export default defineScenario({
  name: 'latency',
  description: `${INJECTED}; the measured p50 must reflect the injected latency`,
  tags: ['network', 'timing'],
  topology: { servers: 1, clients: 1, replyMode: 'callback-queue', prefetch: 10, confirmReplies: false },
  load: { executor: 'constant-arrival-rate', ratePerSec: 50, durationMs: 4_000, maxInFlight: 200 },
  // Above maxInFlight + 2: an external client gets a distinct n for every call in flight.
  maxN: 300,
  timeoutMs: 3_000,
  faults: [
    {
      kind: 'toxic',
      proxy: 'clients',
      toxic: { type: 'latency', stream: 'downstream', attributes: { latency: INJECTED_MS, jitter: 0 } },
      trigger: { atMs: 0 },
    },
  ],
  // Up to just under twice the injection: applied or counted twice, it would measure 200 ms or
  // more; a loaded machine adds its own tens of milliseconds, which must not fail the run.
  checks: [latencyReflectsInjected(INJECTED_MS, INJECTED_MS - 1)],
  gates: ['errors==0', `p50>=${INJECTED_MS}ms`],
  tracing: { sampleRatio: 0.1 },
});
