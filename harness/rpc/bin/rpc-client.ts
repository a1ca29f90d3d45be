/**
 * The tutorial's rpc_client.py as a Node program: `npm run rpc:client -- 30`.
 * Sends fib(n) requests and prints the replies; interoperates with the Python rpc_server.py.
 */
import { Command, InvalidArgumentError } from 'commander';
import { redactUrl } from '../../env/redact.ts';
import { FibRpcClient, REPLY_MODES, type ReplyMode } from '../fib-rpc-client.ts';

const DEFAULT_URL = 'amqp://guest:guest@127.0.0.1:5672';

function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed)) throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return parsed;
}

const program = new Command('rpc:client')
  .description('fibonacci RPC client (RabbitMQ tutorial six)')
  .argument('[n...]', 'numbers to request fib(n) for', (value: string, previous: number[] = []) => [...previous, nonNegativeInteger(value)])
  .option('--url <amqp-url>', 'broker URL (default: $AMQP_URL or the local broker)')
  .option('--queue <name>', 'request queue', 'rpc_queue')
  .option('--reply-mode <mode>', `one of ${REPLY_MODES.join(', ')}`, 'callback-queue')
  .option('--timeout <ms>', 'per-call timeout in ms', (value: string) => nonNegativeInteger(value), 5000)
  .showHelpAfterError();
program.parse();
const numbers = (program.processedArgs[0] as number[] | undefined) ?? [30];
const options = program.opts<{ url?: string; queue: string; replyMode: string; timeout: number }>();
if (!REPLY_MODES.includes(options.replyMode as ReplyMode)) {
  console.error(`rpc:client: --reply-mode must be one of ${REPLY_MODES.join(', ')}, got "${options.replyMode}"`);
  process.exit(2);
}
const amqpUrl = options.url ?? process.env.AMQP_URL ?? DEFAULT_URL;

const client = new FibRpcClient({
  amqpUrl,
  queue: options.queue,
  replyMode: options.replyMode as ReplyMode,
  timeoutMs: options.timeout,
  onDiscard: (reply) => console.log(` [!] discarded a ${reply.kind} reply (correlation id ${reply.correlationId ?? 'none'})`),
});
let exitCode = 0;
try {
  await client.start();
  for (const n of numbers) {
    console.log(` [x] Requesting fib(${n})`);
    try {
      console.log(` [.] Got ${await client.call(n)}`);
    } catch (error) {
      console.error(` [x] ${(error as Error).message}`);
      exitCode = 1;
    }
  }
} catch (error) {
  console.error(`rpc:client: ${(error as Error).message} (broker ${redactUrl(amqpUrl)})`);
  exitCode = 2;
} finally {
  await client.close();
}
process.exit(exitCode);
