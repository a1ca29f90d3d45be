/**
 * The tutorial's rpc_client.py as a Node program: `npm run rpc:client -- 30`.
 * Sends fib(n) requests and prints the replies; interoperates with the Python rpc_server.py.
 */
import { Command, InvalidArgumentError } from 'commander';
import { redactUrl } from '../../env/redact.ts';
import { EXIT_FAILED, EXIT_HARNESS_ERROR, EXIT_PASS } from '../../exit-codes.ts';
import { parseOrExit } from './parse-or-exit.ts';
import { RpcCallError } from '../errors.ts';
import { FibRpcClient, REPLY_MODES, type ReplyMode } from '../fib-rpc-client.ts';
import { inspectQueue } from '../inspect-queue.ts';

const DEFAULT_URL = 'amqp://guest:guest@127.0.0.1:5672';

function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed))
    throw new InvalidArgumentError(`expected a non-negative integer, got "${value}"`);
  return parsed;
}

function positiveInteger(value: string): number {
  const parsed = nonNegativeInteger(value);
  if (parsed < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return parsed;
}

const program = new Command('rpc:client')
  .description('fibonacci RPC client (RabbitMQ tutorial six)')
  .argument('[n...]', 'numbers to request fib(n) for', (value: string, previous: number[] = []) => [
    ...previous,
    nonNegativeInteger(value),
  ])
  .option('--url <amqp-url>', 'broker URL (default: $AMQP_URL or the local broker)')
  .option('--queue <name>', 'request queue', 'rpc_queue')
  .option('--reply-mode <mode>', `one of ${REPLY_MODES.join(', ')}`, 'callback-queue')
  .option('--timeout <ms>', 'per-call timeout in ms', positiveInteger, 5000)
  .showHelpAfterError()
  .exitOverride();
parseOrExit(program);
const numbers = (program.processedArgs[0] as number[] | undefined) ?? [30];
const options = program.opts<{ url?: string; queue: string; replyMode: string; timeout: number }>();
if (!REPLY_MODES.includes(options.replyMode as ReplyMode)) {
  console.error(`rpc:client: --reply-mode must be one of ${REPLY_MODES.join(', ')}, got "${options.replyMode}"`);
  process.exit(EXIT_HARNESS_ERROR);
}
const amqpUrl = options.url ?? process.env.AMQP_URL ?? DEFAULT_URL;

const client = new FibRpcClient({
  amqpUrl,
  queue: options.queue,
  replyMode: options.replyMode as ReplyMode,
  timeoutMs: options.timeout,
  onDiscard: (reply) =>
    console.log(` [!] discarded a ${reply.kind} reply (correlation id ${reply.correlationId ?? 'none'})`),
});
let exitCode = EXIT_PASS;
let queueExplained = false;
try {
  await client.start();
  for (const n of numbers) {
    console.log(` [x] Requesting fib(${n})`);
    try {
      console.log(` [.] Got ${await client.call(n)}`);
    } catch (error) {
      console.error(` [x] ${(error as Error).message}`);
      if (error instanceof RpcCallError && error.reason === 'timeout' && !queueExplained) {
        queueExplained = true;
        const why = await whyNoReply(options.queue);
        if (why) console.error(` [x] ${why}`);
      }
      exitCode = EXIT_FAILED;
    }
  }
} catch (error) {
  console.error(`rpc:client: ${(error as Error).message} (broker ${redactUrl(amqpUrl)})`);
  exitCode = EXIT_HARNESS_ERROR;
} finally {
  await client.close();
}
process.exit(exitCode);

/** A timeout usually means no server: say so when the queue has no consumer or does not exist. */
async function whyNoReply(queue: string): Promise<string | undefined> {
  try {
    const state = await inspectQueue(amqpUrl, queue);
    if (!state.exists) return `queue ${queue} does not exist: is a server running? (npm run rpc:server)`;
    if (state.consumerCount === 0) return `no consumer on queue ${queue}: is a server running? (npm run rpc:server)`;
    return undefined;
  } catch (error) {
    return `could not check queue ${queue}: ${(error as Error).message}`;
  }
}
