/**
 * The built-in FibRpcServer as a command, configured like every server the harness runs:
 *   AMQP_URL=amqp://... RPC_QUEUE=rpc_queue [RPC_QUEUE_TYPE=quorum] [RPC_PREFETCH=1] \
 *     node --import tsx scenarios/implementations/node/rpc-server.ts
 * Run through the command adapter, it has no way into the harness but the broker: the proof
 * that the adapter gives the built-ins no hidden privileges. Logs go to stderr; stdout stays empty.
 */
import { redactUrl } from '../../../harness/env/redact.ts';
import { withHeartbeat } from '../../../harness/rpc/heartbeat-url.ts';
import { FibRpcServer } from '../../../harness/rpc/fib-rpc-server.ts';

// AMQP_HEARTBEAT (seconds, PROTOCOL.md): the heartbeat the harness asks for, as amqplib's URL parameter.
const heartbeat = process.env.AMQP_HEARTBEAT;
const amqpUrl = withHeartbeat(
  process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  heartbeat === undefined || heartbeat === '' ? undefined : Number(heartbeat),
);
const queue = process.env.RPC_QUEUE ?? 'rpc_queue';
const prefetch = Number(process.env.RPC_PREFETCH ?? '1');
const queueType = process.env.RPC_QUEUE_TYPE ?? 'classic';

const log = (text: string) => process.stderr.write(`${text}\n`);

let server: FibRpcServer;
try {
  if (queueType !== 'classic' && queueType !== 'quorum')
    throw new Error(`RPC_QUEUE_TYPE must be classic or quorum, got "${queueType}"`);
  server = new FibRpcServer({
    amqpUrl,
    queue,
    queueType,
    prefetch,
    onEvent: (event) => {
      if (event.kind === 'handled') log(` [.] fib(${event.n})${event.redelivered ? ' (redelivered)' : ''}`);
      else if (event.kind === 'bad-request') log(` [x] bad request: ${event.error}`);
      else if (event.kind === 'reply-failed') log(` [x] reply failed: ${event.error}`);
      else if (event.kind === 'disconnected') log(` [x] connection lost (${event.error}); reconnecting`);
    },
  });
  await server.start();
} catch (error) {
  log(
    `rpc-server: ${(error as Error).message} ` +
      `(broker ${redactUrl(amqpUrl)}, queue ${queue}, RPC_PREFETCH=${process.env.RPC_PREFETCH ?? 'unset'})`,
  );
  process.exit(2);
}
log(` [x] Awaiting RPC requests on ${queue}`);

const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
