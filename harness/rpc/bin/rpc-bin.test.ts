import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../env/broker/private-rabbit-node.ts';

const CLIENT = fileURLToPath(new URL('./rpc-client.ts', import.meta.url));
const SERVER = fileURLToPath(new URL('./rpc-server.ts', import.meta.url));

/** Runs a tutorial program as `npm run rpc:client` does, bounded in time. */
function run(program: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', program, ...args], {
      env: { ...process.env, AMQP_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('rpc:client and rpc:server arguments', { timeout: 120_000 }, () => {
  it('exit 2 for bad arguments, as the scenario CLI does', async () => {
    const [badNumber, badMode, badTimeout, badPrefetch] = await Promise.all([
      run(CLIENT, ['abc']),
      run(CLIENT, ['--reply-mode', 'carrier-pigeon', '5']),
      run(CLIENT, ['--timeout', '0', '5']),
      run(SERVER, ['--prefetch', '0']),
    ]);
    expect(badNumber.code, badNumber.stderr).toBe(2);
    expect(badNumber.stderr).toContain('expected a non-negative integer, got "abc"');
    expect(badMode.code).toBe(2);
    expect(badMode.stderr).toContain('--reply-mode must be one of');
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toContain('expected a positive integer, got "0"');
    expect(badPrefetch.code).toBe(2);
    expect(badPrefetch.stderr).toContain('expected a positive integer, got "0"');
  });

  it('exit 0 for --help', async () => {
    const help = await run(CLIENT, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('fibonacci RPC client');
  });
});

describe('rpc:client without a server', { timeout: 120_000 }, () => {
  let node: StartedPrivateRabbitNode;
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('says that the queue does not exist when its call times out', async () => {
    const queue = `never_declared_${process.pid}`;
    const run1 = await run(CLIENT, ['--url', node.getAmqpUrl(), '--queue', queue, '--timeout', '300', '5']);
    expect(run1.code, run1.stderr).toBe(1);
    expect(run1.stderr).toContain('got no reply within 300 ms');
    expect(run1.stderr).toContain(`queue ${queue} does not exist: is a server running?`);
  });

  it('says that nothing consumes the queue when its call times out', async () => {
    const queue = `no_consumer_${process.pid}`;
    const connection = await amqp.connect(node.getAmqpUrl());
    await (await connection.createChannel()).assertQueue(queue, { durable: false });
    await connection.close();
    const run1 = await run(CLIENT, ['--url', node.getAmqpUrl(), '--queue', queue, '--timeout', '300', '5', '6']);
    expect(run1.code, run1.stderr).toBe(1);
    expect(run1.stderr.match(/no consumer on queue/g)).toEqual(['no consumer on queue']);
    expect(run1.stderr).toContain(`no consumer on queue ${queue}: is a server running?`);
  });
});
