import { brokerRestartSurvived, recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * The broker stops and starts again with its data. Calls pending at that moment fail with
 * connection-lost (their callback queue died with the connection); both sides reconnect and
 * calls succeed again.
 */
export default defineScenario({
  name: 'broker-restart',
  description: 'the broker restarts mid-run; pending calls fail clearly, both sides reconnect, calls succeed again',
  tags: ['broker'],
  topology: { servers: 1, clients: 1, replyMode: 'callback-queue', prefetch: 10, confirmReplies: false },
  // 22 s after the restart: a node on a busy 2-core machine can take 15 s or more to boot
  // again, and the run must still see both sides reconnect and answer afterwards.
  load: { executor: 'constant-arrival-rate', ratePerSec: 20, durationMs: 24_000, maxInFlight: 200 },
  // Above maxInFlight + 2: an external client gets a distinct n for every call in flight.
  maxN: 300,
  timeoutMs: 2_000,
  faults: [{ kind: 'restart-broker', trigger: { atMs: 1_500 } }],
  checks: [brokerRestartSurvived, recoveredAfterFaults],
  gates: ['wrong_results==0', 'mismatched_correlation==0'],
  tracing: { sampleRatio: 0.2 },
});
