import { connectionsRecovered, recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * Every connection through each proxy is cut once; clients and servers must reconnect. The load
 * runs on for the 7 s recovery allowance after the servers' cut, so a client that waits 5 s
 * before it reconnects (the Java client's automatic recovery on its defaults) passes.
 */
export default defineScenario({
  name: 'connection-reset',
  description: 'all client connections, then all server connections, are closed mid-run; both sides reconnect',
  tags: ['network'],
  topology: { servers: 1, clients: 1, replyMode: 'callback-queue', prefetch: 10, confirmReplies: false },
  load: { executor: 'constant-arrival-rate', ratePerSec: 50, durationMs: 10_000, maxInFlight: 200 },
  // Above maxInFlight + 2: an external client gets a distinct n for every call in flight.
  maxN: 300,
  timeoutMs: 1_500,
  faults: [
    { kind: 'close-connections', proxy: 'clients', trigger: { atMs: 1_500 } },
    { kind: 'close-connections', proxy: 'servers', trigger: { atMs: 3_000 } },
  ],
  checks: [connectionsRecovered(2), recoveredAfterFaults],
  gates: ['wrong_results==0', 'mismatched_correlation==0'],
  tracing: { sampleRatio: 0.2 },
});
