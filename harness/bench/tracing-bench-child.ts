/**
 * One tracing configuration measured in its own process (tracing is set up once per
 * process): an in-process FibRpcServer and FibRpcClient, closed loop, spans written to a
 * JSONL file as in a scenario run, measured after a warm-up. Prints one JSON line: the throughput sample, and the
 * process's CPU time and garbage collection during the measured window, per call (client
 * and server share this process, so that is the whole cost of a call on our side).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { setupTracing } from '../observe/tracing.ts';
import { FibRpcClient } from '../rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../rpc/fib-rpc-server.ts';
import { measureClosedLoop } from './measure-closed-loop.ts';

const [mode, amqpUrl, durationText, queue] = process.argv.slice(2) as [string, string, string, string];
/**
 * Calls made before measuring, at the same load: a fresh process spends its first second
 * compiling (about 1 s of CPU here), and a mode with more code on its path (the recording
 * spans and the exporter of a sampled call) would pay more of that inside a 3 s window.
 * The bench measures what tracing costs a running process, not how long V8 takes to warm up.
 */
const WARM_UP_MS = 1_500;
const sampleRatio = mode === 'off' ? 0 : Number(mode);
const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-tracing-bench-'));
// No trace budget: this measures what tracing a call costs, so every sampled call must be traced.
const tracing = await setupTracing({ serviceName: 'bench', enabled: mode !== 'off', sampleRatio, budget: 'unlimited', spansFile: join(dir, 'spans.jsonl') });
const server = await new FibRpcServer({ amqpUrl, queue, prefetch: 32 }).start();
const client = await new FibRpcClient({ amqpUrl, queue, maxInFlight: 64 }).start();
const gc = { count: 0, ms: 0 };
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.count++;
    gc.ms += entry.duration;
  }
});
try {
  await measureClosedLoop((n) => client.call(n), { concurrency: 32, durationMs: WARM_UP_MS, n: 20 });
  gcObserver.observe({ entryTypes: ['gc'] });
  const cpuBefore = process.cpuUsage();
  const sample = await measureClosedLoop((n) => client.call(n), { concurrency: 32, durationMs: Number(durationText), n: 20 });
  const cpu = process.cpuUsage(cpuBefore);
  gcObserver.disconnect();
  const calls = Math.max(1, sample.calls);
  console.log(JSON.stringify({ ...sample, cpuUsPerCall: (cpu.user + cpu.system) / calls, gcCount: gc.count, gcUsPerCall: (gc.ms * 1000) / calls }));
} finally {
  await client.close();
  await server.stop();
  await tracing.shutdown();
  rmSync(dir, { recursive: true, force: true });
}
