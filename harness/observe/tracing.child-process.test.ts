import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSpans } from './span-reader.ts';
import { injectTraceHeaders, rpcSpanAttributes, rpcSpanKinds, rpcSpanNames } from './trace-headers.ts';
import { setupTracing } from './tracing.ts';

const run = promisify(execFile);
const childScript = fileURLToPath(new URL('./fixtures/trace-child.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'observe-child-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('one trace across two real processes', { timeout: 60_000 }, () => {
  it(
    'a server process continues the trace from the headers alone, ' + 'each process writing its own spans file',
    async () => {
      const clientFile = join(dir, 'client.jsonl');
      const serverFile = join(dir, 'server.jsonl');
      const tracing = await setupTracing({ serviceName: 'parent-client', spansFile: clientFile });
      let childIds: { traceId: string; spanId: string };
      let publishIds: { traceId: string; spanId: string };
      try {
        const publish = trace.getTracer('parent').startSpan(rpcSpanNames.publish('rpc_queue'), {
          kind: rpcSpanKinds.publish,
          attributes: rpcSpanAttributes({ queue: 'rpc_queue', correlationId: 'corr-1', operation: 'send' }),
        });
        publishIds = publish.spanContext();
        const headers = injectTraceHeaders({}, trace.setSpan(context.active(), publish));

        const { stdout } = await run(
          process.execPath,
          ['--import', 'tsx', childScript, serverFile, JSON.stringify(headers)],
          {
            cwd: repoRoot,
            timeout: 45_000,
            // The child must not inherit an OTLP endpoint from the developer's shell: loopback files only.
            env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '' },
          },
        );
        childIds = JSON.parse(stdout) as { traceId: string; spanId: string };
        publish.end();
      } finally {
        await tracing.shutdown();
      }

      const [clientSpans, serverSpans] = await Promise.all([readSpans(clientFile), readSpans(serverFile)]);
      expect(clientSpans.map((s) => s.name)).toEqual(['rpc_queue publish']);
      expect(serverSpans.map((s) => s.name).sort()).toEqual(['fib compute', 'rpc_queue process']);

      const publishRecord = clientSpans[0]!;
      const processRecord = serverSpans.find((s) => s.name === 'rpc_queue process')!;
      const computeRecord = serverSpans.find((s) => s.name === 'fib compute')!;
      expect(publishRecord.traceId).toBe(publishIds.traceId);
      expect(processRecord.traceId).toBe(publishRecord.traceId);
      expect(computeRecord.traceId).toBe(publishRecord.traceId);
      expect(processRecord.parentSpanId).toBe(publishRecord.spanId);
      expect(computeRecord.parentSpanId).toBe(processRecord.spanId);
      expect(childIds).toEqual({ traceId: processRecord.traceId, spanId: processRecord.spanId });
      expect(publishRecord.service).toBe('parent-client');
      expect(processRecord.service).toBe('child-server');
      expect(processRecord.resource['process.pid']).not.toBe(publishRecord.resource['process.pid']);
    },
  );
});
