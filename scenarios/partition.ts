import { faultDisruptedCalls, recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * The servers' side of the network goes down and comes back: calls time out or are
 * answered after recovery, never twice and never wrong. The load runs on for the 7 s recovery
 * allowance after the proxy is back, so a server that waits 5 s before it reconnects passes.
 */
export default defineScenario({
  name: 'partition',
  description: "the servers' proxy is down for 2 s: calls time out or recover, none answered twice or wrong",
  tags: ['network'],
  topology: { servers: 2, clients: 1, replyMode: 'callback-queue', prefetch: 10, confirmReplies: true },
  load: { executor: 'constant-arrival-rate', ratePerSec: 50, durationMs: 10_000, maxInFlight: 500 },
  // Above maxInFlight + 2: an external client gets a distinct n for every call in flight.
  maxN: 600,
  timeoutMs: 1_000,
  faults: [{ kind: 'disable-proxy', proxy: 'servers', trigger: { atMs: 1_000 }, durationMs: 2_000 }],
  checks: [faultDisruptedCalls, recoveredAfterFaults],
  gates: ['wrong_results==0', 'mismatched_correlation==0'],
  tracing: { sampleRatio: 0.2 },
});
