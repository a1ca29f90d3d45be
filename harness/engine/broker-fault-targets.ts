/**
 * What broker faults act on (chaos/broker-faults.ts): the run's private node through its own
 * rabbitmqctl, and the run's request queue, deleted and declared again on a connection of the
 * harness's own, straight to the broker, with the arguments the servers declare it with.
 */
import type { BrokerFaultTargets } from '../chaos/broker-faults.ts';
import { StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { requestQueueOptions } from '../rpc/fib-rpc-server.ts';
import { declareQueue, deleteQueueWhenEmpty } from '../rpc/inspect-queue.ts';
import type { Topology } from './topology.ts';

export function brokerFaultTargets(
  topology: Topology,
  queue: { readonly name: string; readonly queueType: 'classic' | 'quorum' | undefined },
): BrokerFaultTargets {
  const broker = topology.broker;
  const amqpUrl = topology.directUrlFor('servers', 1);
  return {
    ...(broker instanceof StartedPrivateRabbitNode ? { rabbitmqctl: (args) => broker.rabbitmqctl(args) } : {}),
    // When no request waits in it: a request deleted with the queue would be lost by the fault itself.
    deleteRequestQueue: () => deleteQueueWhenEmpty(amqpUrl, queue.name, { boundMs: 2_000, retryMs: 10 }),
    declareRequestQueue: () => declareQueue(amqpUrl, queue.name, requestQueueOptions({ queueType: queue.queueType })),
  };
}
