/**
 * The client line protocol (../PROTOCOL.md) around the built-in FibRpcClient:
 *   AMQP_URL=amqp://... RPC_QUEUE=rpc_queue node --import tsx scenarios/implementations/node/rpc-client-driver.ts
 * stdin: {"id":17,"n":30,"timeout_ms":3000}   stdout: {"id":17,"result":"832040"}
 * Logs go to stderr. On stdin EOF the outstanding calls are answered (or time out), then exit 0.
 */
import { createInterface } from 'node:readline';
import { callLineSchema, TIMEOUT_ERROR } from '../../../harness/impl/command/client-line-protocol.ts';
import { redactUrl } from '../../../harness/env/redact.ts';
import { withHeartbeat } from '../../../harness/rpc/heartbeat-url.ts';
import { RpcCallError } from '../../../harness/rpc/errors.ts';
import { FibRpcClient } from '../../../harness/rpc/fib-rpc-client.ts';

/**
 * FibRpcClient has one timeout for all its calls, the protocol one per call: the driver times
 * each call out itself, and the client's own timeout only bounds how long a call that the
 * driver already answered keeps its slot. Its reply, if it ever comes, is dropped here.
 */
const CLIENT_TIMEOUT_MS = 600_000;
const MAX_IN_FLIGHT = 10_000;

// AMQP_HEARTBEAT (seconds, PROTOCOL.md): the heartbeat the harness asks for, as amqplib's URL parameter.
const heartbeat = process.env.AMQP_HEARTBEAT;
const amqpUrl = withHeartbeat(
  process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  heartbeat === undefined || heartbeat === '' ? undefined : Number(heartbeat),
);
const queue = process.env.RPC_QUEUE ?? 'rpc_queue';
const log = (text: string) => process.stderr.write(`${text}\n`);

const client = new FibRpcClient({
  amqpUrl,
  queue,
  timeoutMs: CLIENT_TIMEOUT_MS,
  maxInFlight: MAX_IN_FLIGHT,
  onDiscard: (reply) => log(` [!] discarded a ${reply.kind} reply (correlation id ${reply.correlationId ?? 'none'})`),
  onConnectionEvent: (event) => log(` [x] ${event.kind}${event.error ? `: ${event.error}` : ''}`),
});
try {
  // start() resolves once the callback queue is consumed: only then is stdin read.
  await client.start();
} catch (error) {
  log(`rpc-client-driver: ${(error as Error).message} (broker ${redactUrl(amqpUrl)})`);
  process.exit(2);
}

const outstanding = new Set<Promise<void>>();

function call(id: number, n: number, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let answered = false;
    const answer = (fields: { result: string } | { error: string }) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      process.stdout.write(`${JSON.stringify({ id, ...fields })}\n`);
      resolve();
    };
    const timer = setTimeout(() => answer({ error: TIMEOUT_ERROR }), timeoutMs);
    client.request(n).then(
      (reply) => answer({ result: reply.value.toString(10) }),
      (error: unknown) =>
        answer({
          error: error instanceof RpcCallError && error.reason === 'timeout' ? TIMEOUT_ERROR : (error as Error).message,
        }),
    );
  });
}

for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  const request = callLineSchema.safeParse(parsed);
  if (!request.success) {
    log(`rpc-client-driver: ignored a line that is not a call: ${line.slice(0, 200)}`);
    continue;
  }
  const { id, n, timeout_ms } = request.data;
  const done = call(id, n, timeout_ms).finally(() => outstanding.delete(done));
  outstanding.add(done);
}
// stdin closed: every outstanding call ends by its own timer at the latest.
await Promise.all(outstanding);
await client.close();
// Let the last answers leave the pipe before exiting.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(0);
