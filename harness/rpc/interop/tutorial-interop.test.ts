import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../env/broker/private-rabbit-node.ts';
import { FibRpcClient } from '../fib-rpc-client.ts';
import { FibRpcServer } from '../fib-rpc-server.ts';

const PYTHON = '/usr/bin/python3'; // Debian's, with python3-pika (installed by npm run setup)
// The tutorial's programs live with the other reference implementations.
const tutorialProgram = (file: string) =>
  fileURLToPath(new URL(`../../../scenarios/implementations/python/${file}`, import.meta.url));

let node: StartedPrivateRabbitNode;

describe("interoperability with the tutorial's Python programs (pika)", { timeout: 60_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().withStartTimeout(90_000).start(); // patient: two shared cores
  });
  afterAll(async () => {
    await node?.stop();
  });

  it("our FibRpcClient calls the tutorial's rpc_server.py", async () => {
    const server = spawn(PYTHON, [tutorialProgram('rpc_server.py')], {
      env: { ...process.env, AMQP_URL: node.getAmqpUrl(), RPC_QUEUE: 'rpc_queue' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('Awaiting RPC requests') && resolve());
        server.once('exit', (code) => reject(new Error(`rpc_server.py exited with ${code}`)));
      });
      await using client = await new FibRpcClient({ amqpUrl: node.getAmqpUrl() }).start();
      await expect(client.call(30)).resolves.toBe(832040n);
      await expect(client.call(90)).resolves.toBe(2880067194370816120n);
    } finally {
      server.kill('SIGKILL');
    }
  });

  it("the tutorial's FibonacciRpcClient (through its protocol driver) calls our FibRpcServer", async () => {
    await using server = await new FibRpcServer({ amqpUrl: node.getAmqpUrl() }).start();
    const client = spawn(PYTHON, [tutorialProgram('rpc_client_driver.py')], {
      env: { ...process.env, AMQP_URL: node.getAmqpUrl(), RPC_QUEUE: 'rpc_queue' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    let stdout = '';
    client.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    client.stdin.end('{"id":1,"n":30,"timeout_ms":10000}\n');
    const code = await new Promise<number | null>((resolve) => client.once('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toBe('{"id":1,"result":"832040"}\n');
    expect(server.counters.handled).toBe(1);
  });
});
