/**
 * One tracing configuration measured in its own process (tracing is set up once per
 * process): an in-process FibRpcServer and FibRpcClient, closed loop, spans written to a
 * JSONL file as in a scenario run, measured after a warm-up. Prints one JSON line: the throughput sample, and the
 * process's CPU time and garbage collection during the measured window, per call (client
 * and server share this process, so that is the whole cost of a call on our side).
 * Mode `alternate:<ratio>` instead switches tracing on and off in windows of one process
 * and prints each pair of windows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { ProxyTracerProvider, trace } from '@opentelemetry/api';
import { activeSpanRecorder, setActiveSpanRecorder } from '../observe/span-recorder.ts';
import { setupTracing } from '../observe/tracing.ts';
import { FibRpcClient } from '../rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../rpc/fib-rpc-server.ts';
import { measureClosedLoop } from './measure-closed-loop.ts';
import type { AlternatingSample, WindowSample } from './tracing-bench.ts';

const [mode, amqpUrl, durationText, queue, windowsText] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string | undefined,
];
/**
 * Calls made before measuring, at the same load: a fresh process spends its first second
 * compiling (about 1 s of CPU here), and a mode with more code on its path (the recording
 * spans and the exporter of a sampled call) would pay more of that inside a 3 s window.
 * The bench measures what tracing costs a running process, not how long V8 takes to warm up.
 */
const WARM_UP_MS = 1_500;
const alternating = mode.startsWith('alternate:');
const sampleRatio = mode === 'off' ? 0 : Number(alternating ? mode.slice('alternate:'.length) : mode);
const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-tracing-bench-'));
// No trace budget: this measures what tracing a call costs, so every sampled call must be traced.
const tracing = await setupTracing({
  serviceName: 'bench',
  enabled: mode !== 'off',
  sampleRatio,
  budget: 'unlimited',
  spansFile: join(dir, 'spans.jsonl'),
});
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
  if (alternating) {
    console.log(JSON.stringify(await alternateWindows(Number(durationText), Number(windowsText ?? 20))));
  } else {
    gcObserver.observe({ entryTypes: ['gc'] });
    const cpuBefore = process.cpuUsage();
    const sample = await measureClosedLoop((n) => client.call(n), {
      concurrency: 32,
      durationMs: Number(durationText),
      n: 20,
    });
    const cpu = process.cpuUsage(cpuBefore);
    gcObserver.disconnect();
    const calls = Math.max(1, sample.calls);
    console.log(
      JSON.stringify({
        ...sample,
        cpuUsPerCall: (cpu.user + cpu.system) / calls,
        gcCount: gc.count,
        gcUsPerCall: (gc.ms * 1000) / calls,
      }),
    );
  }
} finally {
  await client.close();
  await server.stop();
  await tracing.shutdown();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * One process, tracing switched on and off in short windows (on, off, off, on, ...: each pair
 * swaps its order, so a drift in the machine's speed weighs on both sides alike). Separate
 * processes per mode differ by more than tracing costs here: the same "off" process measured
 * 11,200 to 15,700 calls/s in one quarter hour (JIT state, which core it shares with the
 * broker). "Off" unregisters the SDK and the span recorder, as if tracing had never been set
 * up; an "on" window ends with a flush of its spans to the file, counted in its time.
 */
async function alternateWindows(windowMs: number, pairs: number): Promise<AlternatingSample> {
  const provider = trace.getTracerProvider();
  const sdk = provider instanceof ProxyTracerProvider ? provider.getDelegate() : provider;
  const recorder = activeSpanRecorder();
  let registered = true;
  const setTracing = (on: boolean) => {
    if (on === registered) return;
    registered = on;
    if (on) {
      trace.setGlobalTracerProvider(sdk);
      setActiveSpanRecorder(recorder);
    } else {
      setActiveSpanRecorder(undefined);
      trace.disable();
    }
  };
  const window = async (on: boolean): Promise<WindowSample> => {
    setTracing(on);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const sample = await measureClosedLoop((n) => client.call(n), { concurrency: 32, durationMs: windowMs, n: 20 });
    if (on) await tracing.forceFlush();
    const cpu = process.cpuUsage(cpuBefore);
    const elapsedMs = performance.now() - started;
    return {
      callsPerSec: (sample.calls / elapsedMs) * 1000,
      cpuUsPerCall: (cpu.user + cpu.system) / Math.max(1, sample.calls),
    };
  };
  const windowPairs: Array<{ on: WindowSample; off: WindowSample }> = [];
  for (let pair = 0; pair < pairs; pair++) {
    if (pair % 2 === 0) {
      const on = await window(true);
      windowPairs.push({ on, off: await window(false) });
    } else {
      const off = await window(false);
      windowPairs.push({ off, on: await window(true) });
    }
  }
  setTracing(true);
  return { windowMs, pairs: windowPairs };
}
