import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../env/broker/private-rabbit-node.ts';
import { FibRpcClient } from '../fib-rpc-client.ts';
import { FibRpcServer } from '../fib-rpc-server.ts';

const execFileAsync = promisify(execFile);
const PYTHON = '/usr/bin/python3'; // Debian's, with python3-pika (installed by npm run setup)
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

let node: StartedPrivateRabbitNode;

describe('interoperability with the tutorial\'s Python programs (pika)', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('our FibRpcClient calls the tutorial\'s rpc_server.py', async () => {
    const server = spawn(PYTHON, [here('./rpc_server.py'), node.getAmqpUrl()], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('Awaiting RPC requests') && resolve());
        server.once('exit', (code) => reject(new Error(`rpc_server.py exited with ${code}`)));
      });
      await using client = await new FibRpcClient({ amqpUrl: node.getAmqpUrl() }).start();
      await expect(client.call(30)).resolves.toBe(832040n);
      await expect(client.call(90)).resolves.toBe(2880067194370816120n);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('the tutorial\'s rpc_client.py calls our FibRpcServer', async () => {
    await using server = await new FibRpcServer({ amqpUrl: node.getAmqpUrl() }).start();
    const { stdout } = await execFileAsync(PYTHON, [here('./rpc_client.py'), node.getAmqpUrl(), '30'], { timeout: 20_000 });
    expect(stdout).toContain(' [.] Got 832040');
    expect(server.counters.handled).toBe(1);
  });
});
