import { recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { lostPeerNoticed } from '../harness/checks/lost-peer.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * The network goes silent without closing anything: first the servers' link, a second later the
 * clients' link, each for 8 s (Toxiproxy's timeout toxic with timeout 0, both ways). Nothing
 * but heartbeats tells a process that its broker is gone; with the 2 s heartbeat the scenario
 * asks for, amqplib gives up after two silent intervals (4-6 s), well inside the 8 s. Calls end
 * by their timeout meanwhile; every process must notice while the silence lasts, and reconnect.
 * The load runs on for the 7 s recovery allowance after the clients' link is back.
 */
export default defineScenario({
  name: 'blackhole',
  description:
    "the servers' link, then the clients' link, go silent for 8 s (nothing closed): " +
    'heartbeats (2 s) must notice it and both sides reconnect',
  tags: ['network', 'production'],
  topology: { servers: 1, clients: 1, replyMode: 'callback-queue', prefetch: 10, confirmReplies: false },
  load: { executor: 'constant-arrival-rate', ratePerSec: 50, durationMs: 17_000, maxInFlight: 200 },
  // Above maxInFlight + 2: an external client gets a distinct n for every call in flight.
  maxN: 300,
  timeoutMs: 1_500,
  heartbeatSeconds: 2,
  faults: [
    { kind: 'blackhole', proxy: 'servers', trigger: { atMs: 1_000 }, durationMs: 8_000 },
    { kind: 'blackhole', proxy: 'clients', trigger: { atMs: 2_000 }, durationMs: 8_000 },
  ],
  checks: [lostPeerNoticed, recoveredAfterFaults],
  gates: ['wrong_results==0', 'mismatched_correlation==0'],
  tracing: { sampleRatio: 0.2 },
});
