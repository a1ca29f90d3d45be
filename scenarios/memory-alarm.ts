import { callsEndByTimeout } from '../harness/checks/broker-fault-effects.ts';
import { faultDisruptedCalls, recoveredAfterFaults } from '../harness/checks/fault-effects.ts';
import { defineScenario } from '../harness/scenario/define-scenario.ts';

/**
 * The broker's memory alarm goes off (`set_vm_memory_high_watermark 0`) for a few seconds and
 * the broker blocks every connection that publishes (`connection.blocked`): the clients'
 * requests and the servers' replies wait in their sockets. A client must still end every call by
 * its timeout, never hang on the blocked publish (rabbitmq-erlang-client#93, php-amqplib#743,
 * rabbitmq-c#836), and calls succeed again once the alarm clears. Requests go out with publisher
 * confirms, so a request the broker took and then lost fails the run. One private node only.
 */
export default defineScenario({
  name: 'memory-alarm',
  description:
    "the broker's memory alarm blocks publishing connections for 3 s; every call ends by its timeout, " +
    'calls succeed again after it clears, no confirmed request is lost',
  tags: ['broker', 'production'],
  topology: {
    servers: 1,
    clients: 1,
    replyMode: 'callback-queue',
    prefetch: 10,
    confirmReplies: false,
    confirmRequests: true,
  },
  // rabbitmqctl starts an Erlang VM per call (1-3 s on a busy machine): the alarm is raised a
  // moment after its trigger and cleared a moment after its 3 s, and the load leaves room for both.
  load: { executor: 'constant-arrival-rate', ratePerSec: 50, durationMs: 14_000, maxInFlight: 200 },
  // Above maxInFlight + 2: an external client gets a distinct n for every call in flight.
  maxN: 300,
  timeoutMs: 1_000,
  faults: [{ kind: 'memory-alarm', trigger: { atMs: 1_500 }, durationMs: 3_000 }],
  checks: [callsEndByTimeout, faultDisruptedCalls, recoveredAfterFaults],
  gates: ['wrong_results==0', 'mismatched_correlation==0'],
  tracing: { sampleRatio: 0.2 },
});
