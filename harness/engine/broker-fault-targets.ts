/**
 * What broker faults act on (chaos/broker-faults.ts): the run's private node through its own
 * rabbitmqctl, and the run's request queue, deleted and declared again on a connection of the
 * harness's own, straight to the broker, with the arguments the servers declare it with.
 */
import type { BrokerFaultTargets } from '../chaos/broker-faults.ts';
import { StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { requestQueueOptions } from '../rpc/fib-rpc-server.ts';
import { declareQueue, deleteQueue } from '../rpc/inspect-queue.ts';
import type { Topology } from './topology.ts';

export function brokerFaultTargets(
  topology: Topology,
  queue: { readonly name: string; readonly queueType: 'classic' | 'quorum' | undefined },
): BrokerFaultTargets {
  const broker = topology.broker;
  const amqpUrl = topology.directUrlFor('servers', 1);
  return {
    ...(broker instanceof StartedPrivateRabbitNode ? { rabbitmqctl: (args) => broker.rabbitmqctl(args) } : {}),
    deleteRequestQueue: () => deleteQueue(amqpUrl, queue.name),
    declareRequestQueue: () => declareQueue(amqpUrl, queue.name, requestQueueOptions({ queueType: queue.queueType })),
  };
}
