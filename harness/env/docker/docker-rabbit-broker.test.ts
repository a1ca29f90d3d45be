import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { Toxiproxy, type ICreateToxicBody } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode } from '../broker/private-rabbit-node.ts';
import { FibRpcClient } from '../../rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../../rpc/fib-rpc-server.ts';
import { isDockerReachable } from './docker-availability.ts';
import { DockerRabbitBroker } from './docker-rabbit-broker.ts';
import { ensureDockerd, runDockerScript, stopDockerd } from './docker-test-engine.ts';
import { DockerToxiproxy, TOXIPROXY_COMPATIBLE_IMAGE, type StartedDockerToxiproxy } from './docker-toxiproxy.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const FAIL_FAST_MS = 5_000;

/** Where dockerd or an image build cannot run, this file fails with the script's own reason; it never skips. */
async function runScript(script: string, timeoutMs: number): Promise<number> {
  const { ms, output } = await runDockerScript(repoRoot, script, [], { timeoutMs, guarded: true });
  if (output) console.info(output);
  return ms;
}

/** The engine these tests started, if they did: stopped after the file; one already running is left alone. */
let dockerdStartedHere: number | undefined;

async function startDockerd(): Promise<number> {
  const { ms, startedPid } = await ensureDockerd(repoRoot);
  dockerdStartedHere ??= startedPid;
  return ms;
}

afterAll(async () => {
  if (dockerdStartedHere !== undefined) await stopDockerd(dockerdStartedHere);
}, 40_000);

function containersNamed(name: string): string {
  return execFileSync('docker', ['ps', '--all', '--quiet', '--filter', `name=^/${name}$`], { encoding: 'utf8' }).trim();
}

function containersWithId(id: string): string {
  return execFileSync('docker', ['ps', '--all', '--quiet', '--no-trunc', '--filter', `id=${id}`], {
    encoding: 'utf8',
  }).trim();
}

/** Local addresses of the TCP listeners owned by the processes of a container. */
function listenAddressesOf(containerName: string): string[] {
  const pids = new Set(
    execFileSync('docker', ['top', containerName, '-eo', 'pid'], { encoding: 'utf8' })
      .split('\n')
      .slice(1)
      .map((pid) => pid.trim())
      .filter(Boolean),
  );
  return execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => [...line.matchAll(/pid=(\d+)/g)].some((match) => pids.has(match[1] ?? '')))
    .map((line) => line.trim().split(/\s+/)[3] ?? '');
}

/** The tutorial's request/reply, by hand: declare, consume with ack, publish with replyTo and correlationId. */
async function roundTrip(
  amqpUrl: string,
  requestQueue: string,
  body: string,
): Promise<{ body: string; correlationId: string | undefined }> {
  const connection = await amqp.connect(amqpUrl);
  try {
    const serverChannel = await connection.createChannel();
    await serverChannel.assertQueue(requestQueue, { durable: false, autoDelete: true });
    await serverChannel.consume(
      requestQueue,
      (request) => {
        if (!request) return;
        serverChannel.sendToQueue(
          request.properties.replyTo as string,
          Buffer.from(`echo:${request.content.toString()}`),
          {
            correlationId: request.properties.correlationId as string,
          },
        );
        serverChannel.ack(request);
      },
      { noAck: false },
    );

    const clientChannel = await connection.createChannel();
    const { queue: callbackQueue } = await clientChannel.assertQueue('', { exclusive: true });
    const correlationId = randomUUID();
    const reply = new Promise<{ body: string; correlationId: string | undefined }>((resolve) => {
      void clientChannel.consume(
        callbackQueue,
        (message) => {
          if (message)
            resolve({
              body: message.content.toString(),
              correlationId: message.properties.correlationId as string | undefined,
            });
        },
        { noAck: true },
      );
    });
    clientChannel.sendToQueue(requestQueue, Buffer.from(body), { replyTo: callbackQueue, correlationId });
    const answer = await Promise.race([
      reply,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no reply within 10 s')), 10_000).unref()),
    ]);
    expect(answer.correlationId).toBe(correlationId);
    return answer;
  } finally {
    await connection.close();
  }
}

/**
 * The Docker path, for real: starts dockerd if it is not running, builds the RabbitMQ image
 * from Debian's packages if it is absent (1-2 minutes, no registry needed), then runs RabbitMQ
 * through testcontainers on host networking. Fails, with the reason, where dockerd cannot run.
 */
describe('DockerRabbitBroker', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    const dockerdMs = await startDockerd();
    const buildMs = await runScript('build-rabbitmq-image.sh', 420_000);
    console.info(`Docker engine ready after ${dockerdMs} ms; image ready after ${buildMs} ms`);
  }, 480_000);

  it('serves an amqplib request/reply round trip on 127.0.0.1 only, and leaves no container behind', async () => {
    const started = Date.now();
    const broker = await new DockerRabbitBroker().start();
    console.info(`RabbitMQ container accepted AMQP ${Date.now() - started} ms after start(): ${broker.describe()}`);
    const containerName = broker.getContainerName();
    try {
      expect(broker.getAmqpUrl()).toBe(`amqp://guest:guest@127.0.0.1:${broker.getAmqpPort()}`);
      expect(broker.getHost()).toBe('127.0.0.1');
      expect(broker.getVersion()).toMatch(/^\d+\.\d+\.\d+/);
      expect(containersNamed(containerName)).not.toBe('');

      const reply = await roundTrip(broker.getAmqpUrl(), `rpc_queue_docker_${process.pid}`, '42');
      expect(reply.body).toBe('echo:42');

      // And the harness's own fib RPC, as scenarios run it on --broker docker.
      await using server = await new FibRpcServer({
        amqpUrl: broker.getAmqpUrl(),
        queue: `rpc_queue_fib_${process.pid}`,
      }).start();
      await using client = await new FibRpcClient({
        amqpUrl: broker.getAmqpUrl(),
        queue: `rpc_queue_fib_${process.pid}`,
      }).start();
      expect(await Promise.all([10, 90].map((n) => client.call(n)))).toEqual([55n, 2880067194370816120n]);
      expect(server.counters.handled).toBe(2);

      // AMQP, Erlang distribution and epmd: nothing of the container listens beyond loopback
      // (epmd always adds ::1 to the address it is given).
      const listeners = listenAddressesOf(containerName);
      expect(listeners.length).toBeGreaterThanOrEqual(3);
      for (const address of listeners) expect(address).toMatch(/^(127\.0\.0\.1|\[::1\]):\d+$/);
    } finally {
      const stopping = Date.now();
      await broker.stop();
      console.info(`RabbitMQ container stopped and removed in ${Date.now() - stopping} ms`);
    }
    await broker.stop();
    expect(containersNamed(containerName)).toBe('');
  });

  it('restarts the broker on the same port with its durable queues, and comes back after a kill', async () => {
    await using broker = await new DockerRabbitBroker().start();
    const queue = `rpc_chaos_durable_${process.pid}`;
    const connection = await amqp.connect(broker.getAmqpUrl());
    const channel = await connection.createConfirmChannel();
    await channel.assertQueue(queue, { durable: true });
    channel.sendToQueue(queue, Buffer.from('survives'), { persistent: true });
    await channel.waitForConfirms();
    await connection.close();

    const restarting = Date.now();
    await broker.restart();
    console.info(`RabbitMQ container restarted in ${Date.now() - restarting} ms`);
    await broker.kill();
    await expect(amqp.connect(broker.getAmqpUrl(), { timeout: 1_000 })).rejects.toThrow();
    await broker.restart();
    const containerName = broker.getContainerName();

    const after = await amqp.connect(broker.getAmqpUrl());
    try {
      const message = await (await after.createChannel()).get(queue, { noAck: true });
      expect(message ? message.content.toString() : message).toBe('survives');
    } finally {
      await after.close();
    }
    await broker.stop();
    expect(containersNamed(containerName)).toBe('');
  });

  it('fails fast, naming the build script, when the image is not present locally', async () => {
    const started = Date.now();
    await expect(new DockerRabbitBroker().withImage('rpc-chaos/absent:never').start()).rejects.toThrow(
      /image rpc-chaos\/absent:never is not present locally.*bash docker\/build-rabbitmq-image\.sh/,
    );
    expect(Date.now() - started).toBeLessThan(FAIL_FAST_MS);
  });

  it('fails fast, saying how to start dockerd or use --broker local, when no engine answers', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    const started = Date.now();
    try {
      await expect(new DockerRabbitBroker().start()).rejects.toThrow(
        new RegExp(
          String.raw`--broker docker: no Docker engine answers at unix:\/\/\/nonexistent\/docker\.sock: ` +
            String.raw`start one \(as root: bash docker\/start-dockerd\.sh\), or use --broker local`,
        ),
      );
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
    expect(Date.now() - started).toBeLessThan(FAIL_FAST_MS);
  });
});

describe('DockerToxiproxy', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await startDockerd();
    await runScript('build-rabbitmq-image.sh', 420_000);
    await runScript('build-toxiproxy-image.sh', 120_000);
  }, 600_000);

  /**
   * Toxiproxy's own image cannot be pulled where no registry is reachable, so this runs the
   * image docker/build-toxiproxy-image.sh builds: the built-in Toxiproxy-compatible server
   * behind toxiproxy-server's flags and start-up log line. It exercises the harness's container
   * lifecycle (TOXIPROXY_IMAGE, the local image check, host networking, the -host/-port
   * command, the log wait, the API probe, stop and removal), not Toxiproxy itself.
   */
  it(
    'starts the image TOXIPROXY_IMAGE names on loopback, ' +
      'proxies AMQP to RabbitMQ with a toxic, and leaves no container behind',
    async () => {
      await using broker = await new PrivateRabbitNode().start();
      const saved = process.env.TOXIPROXY_IMAGE;
      process.env.TOXIPROXY_IMAGE = TOXIPROXY_COMPATIBLE_IMAGE;
      const starting = Date.now();
      let toxiproxy: StartedDockerToxiproxy;
      try {
        toxiproxy = await new DockerToxiproxy().start();
      } finally {
        if (saved === undefined) delete process.env.TOXIPROXY_IMAGE;
        else process.env.TOXIPROXY_IMAGE = saved;
      }
      console.info(`Toxiproxy-compatible container answered its API ${Date.now() - starting} ms after start()`);
      const containerId = toxiproxy.getContainerId();
      try {
        expect(
          execFileSync(
            'docker',
            ['inspect', '--format', '{{.Config.Image}} {{.HostConfig.NetworkMode}} {{json .Args}}', containerId],
            { encoding: 'utf8' },
          ).trim(),
        ).toBe(`${TOXIPROXY_COMPATIBLE_IMAGE} host ["-host=127.0.0.1","-port=${toxiproxy.getApiPort()}"]`);
        expect(toxiproxy.getApiUrl()).toBe(`http://127.0.0.1:${toxiproxy.getApiPort()}`);
        expect(toxiproxy.getVersion()).toBe('2.12.0');

        const client = new Toxiproxy(toxiproxy.getApiUrl());
        const proxy = await client.createProxy({
          name: 'amqp',
          listen: '127.0.0.1:0',
          upstream: `127.0.0.1:${broker.getAmqpPort()}`,
        });
        const proxiedUrl = new URL(broker.getAmqpUrl());
        proxiedUrl.port = proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1);
        expect((await roundTrip(proxiedUrl.toString(), `rpc_queue_toxiproxy_${process.pid}`, '42')).body).toBe(
          'echo:42',
        );

        // 300 ms on every reply byte: the connection's handshake and the reply each wait for it.
        await proxy.addToxic({
          name: 'slow-replies',
          type: 'latency',
          stream: 'downstream',
          toxicity: 1,
          attributes: { latency: 300, jitter: 0 },
        } as ICreateToxicBody<unknown>);
        const slowStart = performance.now();
        expect((await roundTrip(proxiedUrl.toString(), `rpc_queue_toxiproxy_slow_${process.pid}`, '43')).body).toBe(
          'echo:43',
        );
        expect(performance.now() - slowStart).toBeGreaterThanOrEqual(300);

        // The API and the proxy it created listen on loopback only.
        const listeners = listenAddressesOf(containerId);
        expect(listeners).toContain(`127.0.0.1:${toxiproxy.getApiPort()}`);
        expect(listeners).toContain(proxy.listen);
        for (const address of listeners) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
      } finally {
        await toxiproxy.stop();
      }
      await toxiproxy.stop();
      expect(containersWithId(containerId)).toBe('');
    },
  );

  it('fails fast, pointing to docker pull and --proxy builtin, when its image is not present locally', async () => {
    const started = Date.now();
    const failure = new DockerToxiproxy().withImage('rpc-chaos/absent-toxiproxy:never').start();
    await expect(failure).rejects.toThrow(
      new RegExp(
        String.raw`image rpc-chaos\/absent-toxiproxy:never is not present locally.*` +
          String.raw`docker pull rpc-chaos\/absent-toxiproxy:never.*` +
          String.raw`bash docker\/build-toxiproxy-image\.sh.*--proxy builtin`,
      ),
    );
    expect(Date.now() - started).toBeLessThan(FAIL_FAST_MS);
  });
});

describe('isDockerReachable', () => {
  beforeAll(async () => {
    await startDockerd();
  }, 90_000);

  it('answers true for the running engine and false, within its timeout, for a socket nobody serves', async () => {
    expect(await isDockerReachable()).toBe(true);
    const started = Date.now();
    expect(await isDockerReachable(500, { DOCKER_HOST: 'unix:///nonexistent/docker.sock' })).toBe(false);
    expect(await isDockerReachable(500, { DOCKER_HOST: 'tcp://127.0.0.1:1' })).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
