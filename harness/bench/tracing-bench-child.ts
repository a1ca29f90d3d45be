/**
 * One tracing configuration measured in its own process (tracing is set up once per
 * process): an in-process FibRpcServer and FibRpcClient, closed loop, spans written to a
 * JSONL file as in a scenario run. Prints one JSON line with the sample.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupTracing } from '../observe/tracing.ts';
import { FibRpcClient } from '../rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../rpc/fib-rpc-server.ts';
import { measureClosedLoop } from './measure-closed-loop.ts';

const [mode, amqpUrl, durationText, queue] = process.argv.slice(2) as [string, string, string, string];
const sampleRatio = mode === 'off' ? 0 : Number(mode);
const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-tracing-bench-'));
// No trace budget: this measures what tracing a call costs, so every sampled call must be traced.
const tracing = await setupTracing({ serviceName: 'bench', enabled: mode !== 'off', sampleRatio, budget: 'unlimited', spansFile: join(dir, 'spans.jsonl') });
const server = await new FibRpcServer({ amqpUrl, queue, prefetch: 32 }).start();
const client = await new FibRpcClient({ amqpUrl, queue, maxInFlight: 64 }).start();
try {
  const sample = await measureClosedLoop((n) => client.call(n), { concurrency: 32, durationMs: Number(durationText), n: 20 });
  console.log(JSON.stringify(sample));
} finally {
  await client.close();
  await server.stop();
  await tracing.shutdown();
  rmSync(dir, { recursive: true, force: true });
}
