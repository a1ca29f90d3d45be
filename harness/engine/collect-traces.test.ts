import { createWriteStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../observe/span-record.ts';
import { collectTraces, SPANS_FILE } from './collect-traces.ts';

const dir = mkdtempSync(join(tmpdir(), 'collect-traces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUN_START_MS = 1_796_000_000_000;

function span(traceId: string, spanId: string, name: string, extra: Partial<SpanRecord> = {}): SpanRecord {
  const startEpochUs = RUN_START_MS * 1000 + Number.parseInt(spanId.slice(-6), 16);
  return {
    traceId,
    spanId,
    name,
    kind: 'INTERNAL',
    startTimeUnixNano: `${startEpochUs}000`,
    endTimeUnixNano: `${startEpochUs + 100}000`,
    startEpochUs,
    endEpochUs: startEpochUs + 100,
    durationMs: 0.1,
    status: { code: 'UNSET' },
    attributes: {},
    events: [],
    links: [],
    service: 'client-1',
    resource: {},
    scope: 'test',
    ...extra,
  };
}

const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');
const traceIdOf = (call: number) => hex(call, 32);

/**
 * The spans of one traced call, as the exporter writes them: publish (root) in the client's
 * file, process and compute in the server's. Built from a template: a million
 * JSON.stringify calls would make the fixture slower than the code under test.
 */
function callLines(call: number): { client: string; server: string } {
  const traceId = traceIdOf(call);
  const line = (spanId: string, parent: string | undefined, name: string, kind: string, service: string) => {
    const startEpochUs = RUN_START_MS * 1000 + call;
    return (
      `{"traceId":"${traceId}","spanId":"${spanId}",${parent ? `"parentSpanId":"${parent}",` : ''}` +
      `"name":"${name}","kind":"${kind}",` +
      `"startTimeUnixNano":"${startEpochUs}000","endTimeUnixNano":"${startEpochUs + 100}000",` +
      `"startEpochUs":${startEpochUs},"endEpochUs":${startEpochUs + 100},` +
      '"durationMs":0.1,"status":{"code":"UNSET"},' +
      `"attributes":{"messaging.system":"rabbitmq","messaging.message.conversation_id":"${traceId}.${call}"},` +
      `"events":[],"links":[],"service":"${service}","resource":{"service.name":"${service}","process.pid":4242},` +
      '"scope":"rpc-chaos.rpc"}\n'
    );
  };
  const publish = hex(call * 4 + 1, 16);
  const process = hex(call * 4 + 2, 16);
  return {
    client: line(publish, undefined, 'rpc_queue publish', 'PRODUCER', 'client-1'),
    server:
      line(process, publish, 'rpc_queue process', 'CONSUMER', 'server-1') +
      line(hex(call * 4 + 3, 16), process, 'fib compute', 'INTERNAL', 'server-1'),
  };
}

/** A duplicate reply: the killed server's process span ended in error, and the client's discard. */
function duplicateSpans(call: number, killed: boolean) {
  const traceId = traceIdOf(call);
  const discard = span(traceId, hex(call * 4 + 4, 16), 'rpc reply discarded', {
    parentSpanId: hex(call * 4 + 1, 16),
    attributes: { 'rpc.discard.kind': 'duplicate' },
  });
  const killedSpan = span(traceId, hex(call * 4 + 5, 16), 'rpc_queue process', {
    kind: 'CONSUMER',
    parentSpanId: hex(call * 4 + 1, 16),
    service: 'server-2',
    status: { code: 'ERROR', message: 'channel closed before ack' },
  });
  return { client: [discard], server: killed ? [killedSpan] : [] };
}

async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const output = createWriteStream(file);
  let batch = '';
  for (const line of lines) {
    batch += line;
    if (batch.length > 1 << 20) {
      if (!output.write(batch)) await once(output, 'drain');
      batch = '';
    }
  }
  output.end(batch);
  await once(output, 'close');
}

describe('collectTraces', { timeout: 600_000 }, () => {
  it('streams a million spans with bounded memory and finds the duplicate reply whose server was killed', async () => {
    const runDir = mkdtempSync(join(dir, 'million-'));
    const calls = 333_334; // 3 spans each: 1,000,002 spans
    const clientFile = join(runDir, 'spans-client-1.jsonl');
    const serverFile = join(runDir, 'spans-server-1.jsonl');
    // Duplicates near the end, so nothing about them is known while most spans go by.
    const plainDuplicate = calls - 50;
    const killedDuplicate = calls - 10;
    function* clientLines() {
      for (let call = 0; call < calls; call++) {
        yield callLines(call).client;
        if (call === plainDuplicate || call === killedDuplicate)
          for (const s of duplicateSpans(call, call === killedDuplicate).client) yield `${JSON.stringify(s)}\n`;
      }
    }
    function* serverLines() {
      for (let call = 0; call < calls; call++) {
        yield callLines(call).server;
        if (call === killedDuplicate) for (const s of duplicateSpans(call, true).server) yield `${JSON.stringify(s)}\n`;
      }
      yield '{"traceId":"torn'; // a process killed mid-write
    }
    await writeLines(clientFile, clientLines());
    await writeLines(serverFile, serverLines());
    const inputBytes = statSync(clientFile).size + statSync(serverFile).size;

    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const startedAt = performance.now();
    const cpuBefore = process.cpuUsage();
    let traces: Awaited<ReturnType<typeof collectTraces>>;
    try {
      traces = await collectTraces(runDir, [clientFile, serverFile], RUN_START_MS);
    } finally {
      clearInterval(sampler);
    }
    const elapsedMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    expect(traces.spans).toBe(calls * 3 + 2 + 1);
    expect(traces.tracedCalls).toBe(calls);
    expect(traces.spanFileBytes).toBe(inputBytes - '{"traceId":"torn'.length);
    expect(statSync(join(runDir, SPANS_FILE)).size).toBe(traces.spanFileBytes);
    expect(readdirSync(runDir)).toEqual([SPANS_FILE]);
    const waterfall = traces.duplicateReplyTrace ?? [];
    expect(new Set(waterfall.map((s) => s.traceId))).toEqual(new Set([traceIdOf(killedDuplicate)]));
    expect(waterfall.map((s) => s.name)).toEqual([
      'rpc_queue publish',
      'rpc_queue process',
      'fib compute',
      'rpc reply discarded',
      'rpc_queue process',
    ]);
    expect(waterfall.some((s) => s.status === 'error')).toBe(true);
    // Holding all spans parsed would take well over 1 GB (and a spread of them overflowed the stack).
    const growthMb = (peakRss - rssBefore) / 2 ** 20;
    console.log(
      `1,000,003 spans (${(inputBytes / 2 ** 20).toFixed(0)} MiB) collected in ${(elapsedMs / 1000).toFixed(1)} s ` +
        `(CPU ${(cpuMs / 1000).toFixed(1)} s), RSS growth at peak ${growthMb.toFixed(0)} MiB`,
    );
    expect(growthMb).toBeLessThan(150);
    // CPU time, not wall time: on a shared machine the wall clock measures the neighbours.
    expect(cpuMs).toBeLessThan(30_000);
    rmSync(runDir, { recursive: true, force: true });
  });

  it('keeps a bounded number of spans per trace and reports no waterfall when there is no duplicate', async () => {
    const runDir = mkdtempSync(join(dir, 'bounded-'));
    const file = join(runDir, 'spans-client-1.jsonl');
    const traceId = traceIdOf(7);
    const lines = [span(traceId, hex(1, 16), 'rpc_queue publish')];
    for (let i = 2; i < 50; i++)
      lines.push(span(traceId, hex(i, 16), 'rpc_queue process', { parentSpanId: hex(1, 16) }));
    lines.push(
      span(traceId, hex(99, 16), 'rpc reply discarded', {
        parentSpanId: hex(1, 16),
        attributes: { 'rpc.discard.kind': 'duplicate' },
      }),
    );
    writeFileSync(file, lines.map((s) => `${JSON.stringify(s)}\n`).join(''));
    const traces = await collectTraces(runDir, [file], RUN_START_MS, { candidateTraces: 1, spansPerTrace: 10 });
    expect(traces.duplicateReplyTrace).toHaveLength(10);

    const plainFile = join(runDir, 'spans-client-2.jsonl');
    writeFileSync(plainFile, `${JSON.stringify(span(traceIdOf(8), hex(1, 16), 'rpc_queue publish'))}\n`);
    const plain = await collectTraces(runDir, [plainFile], RUN_START_MS);
    expect(plain.duplicateReplyTrace).toBeUndefined();
    expect(plain.tracedCalls).toBe(1);
  });

  it('names the file and line of a corrupt span line', async () => {
    const runDir = mkdtempSync(join(dir, 'corrupt-'));
    const file = join(runDir, 'spans-server-1.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify(span(traceIdOf(1), hex(1, 16), 'a'))}\nnot json\n` +
        `${JSON.stringify(span(traceIdOf(1), hex(2, 16), 'b'))}\n`,
    );
    await expect(collectTraces(runDir, [file], RUN_START_MS)).rejects.toThrow(/spans-server-1\.jsonl:2/);
    expect(existsSync(file)).toBe(true);
  });
});
