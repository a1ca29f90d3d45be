import { execFileSync } from 'node:child_process';
import amqp from 'amqplib';
import { findFreePorts } from '../free-port.ts';
import { registerCleanup } from '../process-cleanup.ts';
import type { StartedBroker } from '../broker/broker.ts';
import { DOCKER_UNREACHABLE_HELP, isDockerReachable } from './docker-availability.ts';
import { ensureImagePresent, prepareTestcontainers } from './testcontainers-setup.ts';

/** Built by docker/build-rabbitmq-image.sh from Debian's packages, since no registry may be reachable. */
export const DEFAULT_RABBITMQ_IMAGE = 'rpc-chaos/rabbitmq:local';
const START_TIMEOUT_MS = 60_000;

/**
 * RabbitMQ in a container through testcontainers, on host networking with free loopback
 * ports (never a bridge address), for users who prefer Docker to a local rabbitmq-server.
 *
 *   await using broker = await new DockerRabbitBroker().withImage('rabbitmq:3.13').start();
 */
export class DockerRabbitBroker {
  private image = process.env.RABBITMQ_IMAGE ?? DEFAULT_RABBITMQ_IMAGE;

  withImage(image: string): this {
    this.image = image;
    return this;
  }

  async start(): Promise<StartedDockerRabbitBroker> {
    if (!(await isDockerReachable())) throw new Error(`--broker docker: ${DOCKER_UNREACHABLE_HELP}`);
    prepareTestcontainers();
    await ensureImagePresent(this.image, 'bash docker/build-rabbitmq-image.sh (builds it from Debian\'s packages with no registry), or set RABBITMQ_IMAGE');
    const { GenericContainer, Wait } = await import('testcontainers');
    const [amqpPort, distPort] = (await findFreePorts(2)) as [number, number];
    const nodeName = `rpc-chaos-docker-${amqpPort}@localhost`;
    const container = await new GenericContainer(this.image)
      .withNetworkMode('host')
      .withEnvironment({
        RABBITMQ_NODENAME: nodeName,
        RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
        RABBITMQ_NODE_PORT: String(amqpPort),
        RABBITMQ_DIST_PORT: String(distPort),
        ERL_EPMD_PORT: String(await findFreePorts(1).then(([port]) => port)),
        RABBITMQ_LOGS: '-',
      })
      .withWaitStrategy(Wait.forLogMessage(/Server startup complete|started TCP listener/))
      .withStartupTimeout(START_TIMEOUT_MS)
      .start();
    const started = new StartedDockerRabbitBroker(container, amqpPort, nodeName);
    await started.probe();
    return started;
  }
}

type StartedContainer = Awaited<ReturnType<InstanceType<typeof import('testcontainers').GenericContainer>['start']>>;

export class StartedDockerRabbitBroker implements StartedBroker {
  readonly kind = 'docker' as const;
  private version = 'unknown';
  private stopped = false;
  private readonly unregister: () => void;

  constructor(
    private readonly container: StartedContainer,
    private readonly amqpPort: number,
    private readonly nodeName: string,
  ) {
    // Without Ryuk nothing else removes the container if this process dies.
    const id = container.getId();
    this.unregister = registerCleanup(`container ${id.slice(0, 12)}`, () => {
      try {
        execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore', timeout: 10_000 });
      } catch {
        // docker CLI missing or container gone
      }
    }, () => this.stop());
  }

  getAmqpUrl(): string {
    return `amqp://guest:guest@127.0.0.1:${this.amqpPort}`;
  }
  getHost(): string {
    return '127.0.0.1';
  }
  getAmqpPort(): number {
    return this.amqpPort;
  }
  getVersion(): string {
    return this.version;
  }
  getContainerId(): string {
    return this.container.getId();
  }
  describe(): string {
    return `RabbitMQ container ${this.container.getId().slice(0, 12)} (${this.nodeName}) on 127.0.0.1:${this.amqpPort}`;
  }

  /** @internal Confirms AMQP answers and reads the broker's version. */
  async probe(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const connection = await amqp.connect(this.getAmqpUrl(), { timeout: 2000 });
        this.version = String((connection.connection.serverProperties as Record<string, unknown>).version ?? 'unknown');
        await connection.close();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`${this.describe()} does not accept AMQP: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** Restarts the container; the node keeps its data inside it. */
  async restart(): Promise<void> {
    await this.container.restart();
    await this.probe();
  }

  async kill(): Promise<void> {
    await this.container.stop({ timeout: 0 });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.container.stop({ remove: true, timeout: 5_000 });
    this.unregister();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
