import type { Readable } from 'node:stream';
import amqp from 'amqplib';
import type { ContainerRuntimeClient, StartedTestContainer } from 'testcontainers';
import type { StartedBroker } from '../broker/broker.ts';
import { findFreePorts } from '../free-port.ts';
import { registerContainerRemoval, removeContainerSync } from './container-cleanup.ts';
import { dockerUnreachableError, isDockerReachable } from './docker-availability.ts';
import { ensureImagePresent, prepareTestcontainers, uniqueContainerName } from './testcontainers-setup.ts';

/** Built by docker/build-rabbitmq-image.sh from Debian's packages, since no registry may be reachable. */
export const DEFAULT_RABBITMQ_IMAGE = 'rpc-chaos/rabbitmq:local';
const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;
/** RabbitMQ stops in 1-2 s on SIGTERM; past this, Docker kills it. */
const GRACEFUL_STOP_TIMEOUT_MS = 10_000;
/** The log can announce startup a moment before AMQP accepts; poll that gap, bounded. */
const AMQP_PROBE_TIMEOUT_MS = 15_000;
const LOG_LINES_KEPT = 25;

/**
 * RabbitMQ in a container through testcontainers (--broker docker), on host networking with
 * its AMQP, distribution and epmd ports on free 127.0.0.1 ports: nothing listens beyond
 * loopback and no traffic goes to a bridge address. A plain GenericContainer, because the
 * default image is a bare Debian rootfs that RabbitMQContainer's assumptions do not fit.
 *
 *   await using broker = await new DockerRabbitBroker().start();
 *   const connection = await amqp.connect(broker.getAmqpUrl());
 *
 * Fails fast with what to do when no engine answers or the image is not present locally.
 */
export class DockerRabbitBroker {
  private image = process.env.RABBITMQ_IMAGE || DEFAULT_RABBITMQ_IMAGE;
  private startupTimeoutMs = DEFAULT_STARTUP_TIMEOUT_MS;

  withImage(image: string): this {
    this.image = image;
    return this;
  }

  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    return this;
  }

  async start(): Promise<StartedDockerRabbitBroker> {
    if (!(await isDockerReachable())) {
      throw dockerUnreachableError('--broker docker', "use --broker local (Debian's rabbitmq-server) or AMQP_URL");
    }
    const client = await prepareTestcontainers();
    await ensureImagePresent(
      client,
      this.image,
      "run `bash docker/build-rabbitmq-image.sh` as root (builds it from Debian's packages, no registry needed), " +
        'or set RABBITMQ_IMAGE to an image you have, or use --broker local',
    );
    const { GenericContainer, Wait } = await import('testcontainers');
    const [amqpPort, distPort, epmdPort] = (await findFreePorts(3)) as [number, number, number];
    const containerName = uniqueContainerName('rabbitmq');
    const nodeName = `${containerName}@localhost`;
    const logTail: string[] = [];
    let started: StartedDockerRabbitBroker | undefined;
    const unregister = registerContainerRemoval(containerName, async () => {
      if (started) await started.stop();
      else removeContainerSync(containerName);
    });

    let container: StartedTestContainer;
    try {
      container = await new GenericContainer(this.image)
        .withName(containerName)
        .withNetworkMode('host')
        .withEnvironment({
          RABBITMQ_NODENAME: nodeName,
          RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
          RABBITMQ_NODE_PORT: String(amqpPort),
          RABBITMQ_DIST_PORT: String(distPort),
          // On host networking a node's own epmd on the default 4369 would collide with the
          // host's (private nodes use it too) and listen on every interface.
          ERL_EPMD_PORT: String(epmdPort),
          ERL_EPMD_ADDRESS: '127.0.0.1',
          ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
          RABBITMQ_LOGS: '-',
        })
        .withLogConsumer((stream) => keepLastLines(stream, logTail))
        .withWaitStrategy(Wait.forLogMessage(/Server startup complete/))
        .withStartupTimeout(this.startupTimeoutMs)
        .start();
    } catch (error) {
      // testcontainers removes a container whose wait failed, but not one that failed to start.
      removeContainerSync(containerName);
      unregister();
      throw new Error(
        `RabbitMQ container from ${this.image} did not start: ${(error as Error).message}` +
          (logTail.length > 0 ? `\nlast log lines:\n${logTail.join('\n')}` : ''),
      );
    }
    started = new StartedDockerRabbitBroker(client, container, this.image, amqpPort, nodeName, unregister);
    try {
      await started.probe();
    } catch (error) {
      await started.stop();
      throw error;
    }
    return started;
  }
}

export class StartedDockerRabbitBroker implements StartedBroker {
  readonly kind = 'docker' as const;
  private version = 'unknown';
  private stopping: Promise<void> | undefined;

  /** @internal Created by DockerRabbitBroker.start(). */
  constructor(
    private readonly client: ContainerRuntimeClient,
    private readonly container: StartedTestContainer,
    private readonly image: string,
    private readonly amqpPort: number,
    private readonly nodeName: string,
    private readonly unregisterRemoval: () => void,
  ) {}

  getAmqpUrl(): string {
    return `amqp://guest:guest@127.0.0.1:${this.amqpPort}`;
  }
  getHost(): string {
    return '127.0.0.1';
  }
  getAmqpPort(): number {
    return this.amqpPort;
  }
  /** RabbitMQ's version as announced in connection.start, e.g. '3.10.8'. */
  getVersion(): string {
    return this.version;
  }
  getContainerId(): string {
    return this.container.getId();
  }
  getContainerName(): string {
    return this.container.getName().replace(/^\//, '');
  }
  getNodeName(): string {
    return this.nodeName;
  }
  describe(): string {
    return (
      `RabbitMQ ${this.version} in container ${this.getContainerName()} ` +
      `(${this.image}, node ${this.nodeName}) on 127.0.0.1:${this.amqpPort}`
    );
  }

  /** @internal Confirms AMQP answers and reads the broker's version, within a bounded time. */
  async probe(): Promise<void> {
    const deadline = Date.now() + AMQP_PROBE_TIMEOUT_MS;
    for (;;) {
      try {
        const connection = await amqp.connect(this.getAmqpUrl(), { timeout: 2_000 });
        const serverProperties = connection.connection.serverProperties as Record<string, unknown>;
        this.version = String(serverProperties.version ?? 'unknown');
        await connection.close();
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`${this.describe()} logged startup but does not accept AMQP: ${(error as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /**
   * Stops RabbitMQ cleanly (SIGTERM) and starts it again on the same ports; the node keeps
   * its data inside the container, so durable queues survive. Also brings back a killed broker.
   */
  async restart(): Promise<void> {
    if (this.stopping) throw new Error(`${this.describe()} was stopped; start a new broker instead of restarting`);
    await this.container.restart({ timeout: GRACEFUL_STOP_TIMEOUT_MS });
    await this.probe();
  }

  /** Kills RabbitMQ (SIGKILL, no clean shutdown); the container stays for restart() or stop(). */
  async kill(): Promise<void> {
    if (this.stopping) return;
    // Through the engine API, not StartedTestContainer.stop(): that one acts only once, so a
    // later stop() would then leave the restarted container running.
    await this.client.container.getById(this.container.getId()).kill({ signal: 'SIGKILL' });
  }

  /** Stops and removes the container. Safe to call twice and concurrently. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAndRemove();
    return this.stopping;
  }

  private async stopAndRemove(): Promise<void> {
    try {
      await this.container.stop({ timeout: GRACEFUL_STOP_TIMEOUT_MS, remove: true });
    } catch {
      // Already stopped or removed by hand: make sure it is gone rather than fail the teardown.
      removeContainerSync(this.getContainerName());
    } finally {
      this.unregisterRemoval();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Keeps the last lines of a container's output, to explain a failed start. */
function keepLastLines(stream: Readable, lines: string[]): void {
  stream.on('data', (chunk: Buffer | string) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line.trimEnd());
      if (lines.length > LOG_LINES_KEPT) lines.shift();
    }
  });
  stream.on('error', () => undefined);
}
