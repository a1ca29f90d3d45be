/**
 * The tutorial's rpc_server.py as a Node program: `npm run rpc:server`.
 * Speaks exactly the tutorial's wire protocol, so the Python rpc_client.py can call it.
 */
import { Command, InvalidArgumentError } from 'commander';
import { redactUrl } from '../../env/redact.ts';
import { EXIT_HARNESS_ERROR } from '../../exit-codes.ts';
import { parseOrExit } from './parse-or-exit.ts';
import { FibRpcServer, type FaultPoints } from '../fib-rpc-server.ts';
import { RequestLog } from './request-log.ts';

const DEFAULT_URL = 'amqp://guest:guest@127.0.0.1:5672';

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return parsed;
}

const program = new Command('rpc:server')
  .description('fibonacci RPC server (RabbitMQ tutorial six)')
  .option('--url <amqp-url>', 'broker URL (default: $AMQP_URL or the local broker)')
  .option('--queue <name>', 'request queue', 'rpc_queue')
  .option('--prefetch <n>', 'unacked requests held at once', positiveInteger, 1)
  .option('--confirm', 'publish replies on a confirm channel and wait for the confirm before acking', false)
  .option(
    '--die-after-reply-before-ack <k>',
    'SIGKILL this process at the afterReplyBeforeAck fault point of request k (the seed race)',
    positiveInteger,
  )
  .showHelpAfterError()
  .exitOverride();
parseOrExit(program);
const options = program.opts<{
  url?: string;
  queue: string;
  prefetch: number;
  confirm: boolean;
  dieAfterReplyBeforeAck?: number;
}>();
const amqpUrl = options.url ?? process.env.AMQP_URL ?? DEFAULT_URL;

let requestsSeen = 0;
// The hook exists only when asked for: without it a request takes the server's synchronous path.
const faultPoints: FaultPoints | undefined =
  options.dieAfterReplyBeforeAck === undefined
    ? undefined
    : {
        afterReplyBeforeAck: () => {
          requestsSeen++;
          if (requestsSeen === options.dieAfterReplyBeforeAck) {
            requestLog.flush();
            console.log(` [!] dying after the reply to request ${requestsSeen}, before its ack`);
            process.kill(process.pid, 'SIGKILL');
          }
        },
      };
const requestLog = new RequestLog((line) => console.log(line));
const server = new FibRpcServer({
  amqpUrl,
  queue: options.queue,
  prefetch: options.prefetch,
  confirmReplies: options.confirm,
  faultPoints,
  onEvent: (event) => {
    if (event.kind === 'handled')
      requestLog.request(` [.] fib(${event.n})${event.redelivered ? ' (redelivered)' : ''}`);
    else if (event.kind === 'bad-request') console.log(` [x] bad request: ${event.error}`);
    else if (event.kind === 'disconnected') console.log(` [x] connection lost (${event.error}); reconnecting`);
  },
});

try {
  await server.start();
} catch (error) {
  console.error(`rpc:server: ${(error as Error).message} (broker ${redactUrl(amqpUrl)})`);
  process.exit(EXIT_HARNESS_ERROR);
}
console.log(` [x] Awaiting RPC requests on ${options.queue}`);
const shutdown = async () => {
  await server.stop();
  requestLog.flush();
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
