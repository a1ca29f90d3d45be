/**
 * The reference implementations, run as commands against a private RabbitMQ node without
 * the runner: each server answers the built-in client, each client driver keeps the
 * protocol (PROTOCOL.md), and the naive driver, the negative control, cross-resolves calls
 * exactly where the correct ones drop a stale reply.
 */
import { readFileSync } from 'node:fs';
import amqp, { type ChannelModel } from 'amqplib';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../harness/env/broker/private-rabbit-node.ts';
import { BuiltinToxiproxy } from '../../harness/env/proxy/builtin-toxiproxy.ts';
import {
  isProtocolViolation,
  type ClientAnswer,
  type DecodedClientLine,
} from '../../harness/impl/command/client-line-protocol.ts';
import { fib } from '../../harness/rpc/fib.ts';
import { FibRpcClient } from '../../harness/rpc/fib-rpc-client.ts';
import { waitUntil } from '../../harness/test/poll.ts';
import { PYTHON, ProtocolProcess, pythonCommand, tsxCommand, type ProgramCommand } from './test/protocol-process.ts';
import { ScriptedServer } from './test/scripted-server.ts';

const SERVERS: ProgramCommand[] = [
  pythonCommand('python rpc_server.py', 'python/rpc_server.py'),
  tsxCommand('node rpc-server.ts', 'node/rpc-server.ts'),
];

/** PROTOCOL.md's inline drivers, run exactly as printed there. */
function documentDriver(language: 'python' | 'js'): string {
  const doc = readFileSync(new URL('./PROTOCOL.md', import.meta.url), 'utf8');
  const block = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(doc)?.[1];
  if (block === undefined) throw new Error(`PROTOCOL.md has no \`\`\`${language} driver`);
  return block;
}

interface ClientDriver {
  readonly command: ProgramCommand;
  /** Matches replies by correlation id; false only for the negative control. */
  readonly correlates: boolean;
}

const CLIENT_DRIVERS: ClientDriver[] = [
  { command: pythonCommand('python rpc_client_driver.py', 'python/rpc_client_driver.py'), correlates: true },
  { command: tsxCommand('node rpc-client-driver.ts', 'node/rpc-client-driver.ts'), correlates: true },
  {
    command: { name: 'PROTOCOL.md python driver', command: PYTHON, args: ['-c', documentDriver('python')] },
    correlates: true,
  },
  {
    command: {
      name: 'PROTOCOL.md js driver',
      command: process.execPath,
      args: ['--input-type=module', '--eval', documentDriver('js')],
    },
    correlates: true,
  },
  { command: pythonCommand('naive naive-rpc-client-driver.py', 'naive/naive-rpc-client-driver.py'), correlates: false },
];

const ANSWER_WAIT_MS = 30_000;

let node: StartedPrivateRabbitNode;
let testConnection: ChannelModel;
let queueCounter = 0;
const nextQueue = () => `rpc_queue_${process.pid}_${++queueCounter}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function answers(lines: DecodedClientLine[]): ClientAnswer[] {
  const violations = lines.filter(isProtocolViolation);
  if (violations.length > 0) throw new Error(`protocol violations: ${JSON.stringify(violations)}`);
  return lines as ClientAnswer[];
}

function resultOf(lines: DecodedClientLine[], id: number): string | undefined {
  const answer = answers(lines).find((line) => line.id === id);
  if (answer === undefined) throw new Error(`no answer for call ${id} in ${JSON.stringify(lines)}`);
  return 'result' in answer ? answer.result : `error: ${answer.error}`;
}

async function waitForConsumer(queue: string, timeoutMs: number, server: ProtocolProcess): Promise<void> {
  const channel = await testConnection.createChannel();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await channel.assertQueue(queue, { durable: false });
      if ((await channel.checkQueue(queue)).consumerCount > 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `${server.command.name} did not consume ${queue} within ${timeoutMs} ms\nstderr:\n${server.stderr}`,
        );
      await sleep(100);
    }
  } finally {
    await channel.close();
  }
}

async function startServer(command: ProgramCommand, queue: string): Promise<ProtocolProcess> {
  const server = ProtocolProcess.start(command, { AMQP_URL: node.getAmqpUrl(), RPC_QUEUE: queue, RPC_PREFETCH: '4' });
  try {
    await waitForConsumer(queue, 30_000, server);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

describe('reference implementations run as commands', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    // Patient: the node shares two cores with the rest of the suite.
    node = await new PrivateRabbitNode().withStartTimeout(90_000).start();
    testConnection = await amqp.connect(node.getAmqpUrl());
  });
  afterAll(async () => {
    await testConnection?.close();
    await node?.stop();
  });

  describe.each(SERVERS)('server $name', (serverCommand) => {
    it('consumes RPC_QUEUE and answers the built-in client, writing nothing on stdout', async () => {
      const queue = nextQueue();
      await using server = await startServer(serverCommand, queue);
      await using client = await new FibRpcClient({ amqpUrl: node.getAmqpUrl(), queue, timeoutMs: 20_000 }).start();
      const results = await Promise.all([0, 1, 30, 90].map((n) => client.call(n)));
      expect(results).toEqual([0n, 1n, 832040n, 2880067194370816120n]);
      expect(server.stdoutLines).toEqual([]);
      expect(server.stderr).toContain('Awaiting RPC requests');
    });
  });

  describe.each(CLIENT_DRIVERS)('client $command.name', ({ command, correlates }) => {
    const startClient = (queue: string) =>
      ProtocolProcess.start(command, { AMQP_URL: node.getAmqpUrl(), RPC_QUEUE: queue });

    it.each(SERVERS)('answers fib(n) through $name, then exits 0 on stdin EOF', async (serverCommand) => {
      const queue = nextQueue();
      await using server = await startServer(serverCommand, queue);
      await using client = startClient(queue);
      for (const [index, n] of [0, 1, 30, 90].entries()) client.send({ id: 100 + index, n, timeout_ms: 20_000 });
      const lines = await client.lines(4, ANSWER_WAIT_MS);
      expect(answers(lines).sort((a, b) => a.id - b.id)).toEqual([
        { id: 100, result: '0' },
        { id: 101, result: '1' },
        { id: 102, result: '832040' },
        { id: 103, result: '2880067194370816120' },
      ]);
      client.closeStdin();
      expect(await client.exitCode(15_000)).toBe(0);
      expect(server.stdoutLines).toEqual([]);
    });

    it('answers "timeout" when no server consumes the queue, and exits 0 on EOF once it has', async () => {
      await using client = startClient(nextQueue());
      client.send({ id: 1, n: 30, timeout_ms: 300 });
      client.closeStdin();
      expect(answers(await client.lines(1, ANSWER_WAIT_MS))).toEqual([{ id: 1, error: 'timeout' }]);
      expect(await client.exitCode(15_000)).toBe(0);
    });

    it(
      'keeps many calls in flight: ' + 'twenty calls, all sent before the first reply, replies in reverse order',
      async () => {
        const queue = nextQueue();
        const server = await ScriptedServer.start(testConnection, queue);
        await using client = startClient(queue);
        try {
          const ns = Array.from({ length: 20 }, (_, index) => 40 + index);
          for (const [index, n] of ns.entries()) client.send({ id: index, n, timeout_ms: 30_000 });
          const requests = await server.waitForRequests(ns.length, ANSWER_WAIT_MS);
          for (const request of [...requests].reverse()) server.reply(request);
          const lines = await client.lines(ns.length, ANSWER_WAIT_MS);
          const wrong = ns.filter((n, id) => resultOf(lines, id) !== fib(n).toString());
          if (correlates) expect(wrong).toEqual([]);
          else expect(wrong.length).toBeGreaterThan(10); // the first reply (fib(59)) answers the oldest call, and so on
        } finally {
          await server.stop();
        }
      },
    );

    it('on stdin EOF still answers a call whose reply comes afterwards', async () => {
      const queue = nextQueue();
      const server = await ScriptedServer.start(testConnection, queue);
      await using client = startClient(queue);
      try {
        client.send({ id: 7, n: 33, timeout_ms: 30_000 });
        const [request] = await server.waitForRequests(1, ANSWER_WAIT_MS);
        await waitUntil(() => client.waitsOnStdin(), `${command.name} waiting on stdin for more calls`, {
          timeoutMs: ANSWER_WAIT_MS,
        });
        client.closeStdin();
        await waitUntil(() => !client.waitsOnStdin(), `${command.name} reading stdin's EOF`, {
          timeoutMs: ANSWER_WAIT_MS,
        });
        server.reply(request!);
        expect(answers(await client.lines(1, ANSWER_WAIT_MS))).toEqual([{ id: 7, result: fib(33).toString() }]);
        expect(await client.exitCode(15_000)).toBe(0);
      } finally {
        await server.stop();
      }
    });

    const staleReplyCases = [
      {
        stale: 'a duplicate reply (the server answered twice)',
        async answerFirstCall(server: ScriptedServer, client: ProtocolProcess) {
          const [request] = await server.waitForRequests(1, ANSWER_WAIT_MS);
          server.reply(request!);
          server.reply(request!);
          expect(answers(await client.lines(1, ANSWER_WAIT_MS))).toEqual([{ id: 1, result: fib(30).toString() }]);
        },
      },
      {
        stale: 'a late reply (after the call timed out)',
        async answerFirstCall(server: ScriptedServer, client: ProtocolProcess) {
          const [request] = await server.waitForRequests(1, ANSWER_WAIT_MS);
          expect(answers(await client.lines(1, ANSWER_WAIT_MS))).toEqual([{ id: 1, error: 'timeout' }]);
          server.reply(request!);
        },
      },
    ];

    it.each(staleReplyCases)(
      correlates
        ? 'drops $stale: the next call gets its own result'
        : 'NEGATIVE CONTROL: answers the next call with $stale, a cross-resolved call',
      async ({ answerFirstCall }) => {
        const queue = nextQueue();
        const server = await ScriptedServer.start(testConnection, queue);
        await using client = startClient(queue);
        try {
          client.send({ id: 1, n: 30, timeout_ms: 1_500 });
          await answerFirstCall(server, client);
          // the stale reply is on the client's callback queue, ahead of any reply to call 2
          await server.repliesQueued();
          client.send({ id: 2, n: 31, timeout_ms: 20_000 });
          const [, second] = await server.waitForRequests(2, ANSWER_WAIT_MS);
          server.reply(second!);
          const lines = await client.lines(2, ANSWER_WAIT_MS);
          // n identifies the call: fib(30) as the answer to call 2 is call 1's reply.
          expect(resultOf(lines, 2)).toBe(correlates ? fib(31).toString() : fib(30).toString());
        } finally {
          await server.stop();
        }
      },
    );
  });

  describe('reference client drivers when the connection to the broker is cut', () => {
    const cases = [
      {
        command: CLIENT_DRIVERS[0]!.command,
        afterLoss: "exits 1 (the tutorial's client does not reconnect)",
        exitCode: 1,
        closeStdin: false,
      },
      {
        command: CLIENT_DRIVERS[1]!.command,
        afterLoss: 'reconnects in the background and exits 0 on EOF',
        exitCode: 0,
        closeStdin: true,
      },
    ];
    it.each(cases)(
      '$command.name answers its outstanding call with an error, then $afterLoss',
      async ({ command, exitCode, closeStdin }) => {
        await using proxyServer = await new BuiltinToxiproxy().start();
        const proxy = await new Toxiproxy(proxyServer.getApiUrl()).createProxy({
          name: 'amqp',
          listen: '127.0.0.1:0',
          upstream: `127.0.0.1:${node.getAmqpPort()}`,
        });
        const proxiedUrl = node.getAmqpUrl().replace(`127.0.0.1:${node.getAmqpPort()}`, proxy.listen);
        expect(proxiedUrl).not.toBe(node.getAmqpUrl());
        const queue = nextQueue();
        const server = await ScriptedServer.start(testConnection, queue);
        await using client = ProtocolProcess.start(command, { AMQP_URL: proxiedUrl, RPC_QUEUE: queue });
        try {
          client.send({ id: 1, n: 30, timeout_ms: 60_000 });
          await server.waitForRequests(1, ANSWER_WAIT_MS);
          await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
          const [answer] = answers(await client.lines(1, ANSWER_WAIT_MS));
          expect(answer).toMatchObject({ id: 1, error: expect.stringMatching(/connection/i) });
          if (closeStdin) client.closeStdin();
          expect(await client.exitCode(20_000)).toBe(exitCode);
        } finally {
          await server.stop();
        }
      },
    );
  });
});
