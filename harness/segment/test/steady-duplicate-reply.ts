import duplicateReply from '../../../scenarios/duplicate-reply.ts';
import { defineScenario } from '../../scenario/define-scenario.ts';

/**
 * duplicate-reply with a fixed 60 ms delay on every delivery to the servers (a latency
 * toxic on the servers proxy, from the start): the latency is then the toxic's, not the
 * machine's momentary load, so a segmented run and a whole run of the same plan can be
 * compared within 10 % on a busy machine. The toxic also sits on the servers proxy, which
 * only the servers run has: a fault that must fire once, not once per segment.
 */
export default defineScenario({
  ...duplicateReply,
  name: 'steady-duplicate-reply',
  description:
    'duplicate-reply with a 60 ms latency toxic on deliveries to the servers, for comparing runs within 10 %',
  // Each delivery holds its prefetch slot for two toxic delays (the delivery, then the reply's
  // confirm before the ack): with the default 10 per server the slots run out in bursts and
  // the tail measures that queue. 50 per server keeps every call at the toxic's latency.
  topology: { ...duplicateReply.topology, prefetch: 50 },
  faults: [
    ...duplicateReply.faults,
    {
      kind: 'toxic',
      proxy: 'servers',
      toxic: { type: 'latency', stream: 'downstream', attributes: { latency: 60, jitter: 0 } },
      trigger: { atMs: 0 },
    },
  ],
});
