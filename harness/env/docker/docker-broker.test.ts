import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { FibRpcClient } from '../../rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../../rpc/fib-rpc-server.ts';
import { DockerRabbitBroker } from './docker-rabbit-broker.ts';
import { DockerToxiproxy } from './docker-toxiproxy.ts';

const script = (name: string) => fileURLToPath(new URL(`../../../docker/${name}`, import.meta.url));

/**
 * The Docker path, for real: starts dockerd if it is not running, builds the RabbitMQ image
 * from Debian's packages if it is absent (no registry needed), then runs RPC calls against a
 * container started by testcontainers. Where dockerd cannot run, this fails with the reason.
 */
describe('Docker path through testcontainers', { timeout: 300_000 }, () => {
  beforeAll(() => {
    execFileSync('bash', [script('start-dockerd.sh')], { stdio: 'inherit', timeout: 60_000 });
    execFileSync('bash', [script('build-rabbitmq-image.sh')], { stdio: 'inherit', timeout: 280_000 });
  }, 300_000);

  it('answers fib RPC calls against a RabbitMQ container on host networking, and removes it', async () => {
    const broker = await new DockerRabbitBroker().start();
    const containerId = broker.getContainerId();
    try {
      expect(broker.getAmqpUrl()).toMatch(/^amqp:\/\/guest:guest@127\.0\.0\.1:\d+$/);
      expect(broker.getVersion()).toMatch(/^\d+\.\d+/);
      await using server = await new FibRpcServer({ amqpUrl: broker.getAmqpUrl() }).start();
      await using client = await new FibRpcClient({ amqpUrl: broker.getAmqpUrl() }).start();
      const results = await Promise.all([10, 30, 90].map((n) => client.call(n)));
      expect(results).toEqual([55n, 832040n, 2880067194370816120n]);
      expect(server.counters.handled).toBe(3);
    } finally {
      await broker.stop();
    }
    const remaining = execFileSync('docker', ['ps', '-aq', '--filter', `id=${containerId}`], { encoding: 'utf8' });
    expect(remaining.trim()).toBe('');
  });

  it('fails fast with what to do when an image is absent and cannot be pulled', async () => {
    const started = Date.now();
    await expect(new DockerRabbitBroker().withImage('rpc-chaos/absent:never').start()).rejects.toThrow(/image rpc-chaos\/absent:never is not present locally and cannot be pulled here: bash docker\/build-rabbitmq-image\.sh/);
    await expect(new DockerToxiproxy().withImage('rpc-chaos/absent-toxiproxy:never').start()).rejects.toThrow(/--proxy builtin/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
