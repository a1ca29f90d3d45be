import { existsSync } from 'node:fs';
import type { StartedBroker } from './broker/broker.ts';
import { ExternalBroker } from './broker/external-broker.ts';
import { PrivateRabbitNode } from './broker/private-rabbit-node.ts';

export type BrokerChoice = 'auto' | 'local' | 'docker' | 'url' | 'cluster';
export const BROKER_CHOICES: readonly BrokerChoice[] = ['auto', 'local', 'docker', 'url', 'cluster'];

/** Nodes of a `cluster` broker when nobody says: the smallest cluster with a majority after one loss. */
export const DEFAULT_CLUSTER_NODES = 3;

const RABBITMQ_SERVER_PATHS = ['/usr/lib/rabbitmq/bin/rabbitmq-server', '/usr/sbin/rabbitmq-server'];

/**
 * Starts (or attaches to) the broker a run uses, in DESIGN order: AMQP_URL, a private local
 * node when rabbitmq-server is installed, Docker when an engine answers. A forced choice that
 * cannot work fails at once with what to do instead.
 *
 * `onLaunched` is called once a private node's process is started, and at once for any other
 * broker: work that competes for the CPU (starting worker processes) can wait for it, so the
 * node's boot, the longest step of a run, starts first.
 */
export async function startBroker(
  choice: BrokerChoice = 'auto',
  env: NodeJS.ProcessEnv = process.env,
  nodes?: number,
  onLaunched: () => void = () => undefined,
): Promise<StartedBroker> {
  const amqpUrl = env.AMQP_URL;
  const privateNode = () => new PrivateRabbitNode({ onLaunched }).start();
  const privateNodeChosen =
    choice === 'local' || (choice === 'auto' && !amqpUrl && RABBITMQ_SERVER_PATHS.some((path) => existsSync(path)));
  if (!privateNodeChosen || (nodes !== undefined && nodes > 1)) onLaunched();
  if (choice === 'cluster' || (nodes !== undefined && nodes > 1)) {
    if (choice !== 'cluster' && choice !== 'auto' && choice !== 'local') {
      throw new Error(
        `${nodes} nodes need a private cluster (--broker cluster); --broker ${choice} is a single broker`,
      );
    }
    const { PrivateRabbitCluster } = await import('./cluster/private-rabbit-cluster.ts');
    return new PrivateRabbitCluster().withNodes(nodes ?? DEFAULT_CLUSTER_NODES).start();
  }
  switch (choice) {
    case 'url':
      if (!amqpUrl) throw new Error('--broker url needs AMQP_URL, e.g. AMQP_URL=amqp://guest:guest@127.0.0.1:5672');
      return new ExternalBroker(amqpUrl).start();
    case 'local':
      return privateNode();
    case 'docker':
      return startDockerBroker();
    case 'auto':
      if (amqpUrl) return new ExternalBroker(amqpUrl).start();
      if (privateNodeChosen) return privateNode();
      if (await dockerReachable()) return startDockerBroker();
      throw new Error(
        'no broker available: set AMQP_URL to an existing RabbitMQ, or install rabbitmq-server ' +
          '("sudo apt-get install -y rabbitmq-server"), or start a Docker engine',
      );
  }
}

/**
 * The kind of broker `startBroker(choice)` tries first, without starting anything: what a
 * run that failed to start records as its environment.
 */
export function plannedBrokerKind(
  choice: BrokerChoice,
  env: NodeJS.ProcessEnv = process.env,
  nodes?: number,
): Exclude<BrokerChoice, 'auto'> {
  if (nodes !== undefined && nodes > 1) return 'cluster';
  if (choice !== 'auto') return choice;
  if (env.AMQP_URL) return 'url';
  return RABBITMQ_SERVER_PATHS.some((path) => existsSync(path)) ? 'local' : 'docker';
}

async function dockerReachable(): Promise<boolean> {
  const { isDockerReachable } = await import('./docker/docker-availability.ts');
  return isDockerReachable();
}

async function startDockerBroker(): Promise<StartedBroker> {
  // Imported lazily: testcontainers is slow to load and only this path needs it.
  const { DockerRabbitBroker } = await import('./docker/docker-rabbit-broker.ts');
  return new DockerRabbitBroker().start();
}
