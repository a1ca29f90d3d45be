import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../../env/broker/private-rabbit-node.ts';
import baseline from '../../../../scenarios/baseline.ts';
import connectionReset from '../../../../scenarios/connection-reset.ts';
import duplicateReply from '../../../../scenarios/duplicate-reply.ts';
import { renderReportHtml } from '../../../report/html/render-report.ts';
import { explain, failedChecks, runForTest } from '../../../../scenarios/test/run-for-test.ts';
import { formatTerminalSummary } from '../../../report/terminal-summary.ts';
import { tsCommand } from './run-cli.ts';

let node: StartedPrivateRabbitNode;
const fixture = (file: string) => new URL(`./fixtures/${file}`, import.meta.url).pathname;
const reference = (path: string) => new URL(`../../../../scenarios/implementations/${path}`, import.meta.url).pathname;
const PYTHON_DRIVER = `/usr/bin/python3 ${reference('python/rpc_client_driver.py')}`;
const PYTHON_SERVER = `RPC_PREFETCH=10 /usr/bin/python3 ${reference('python/rpc_server.py')}`;
// Each request takes 300 ms: calls are in flight when the client's connection is cut.
const SLOW_PYTHON_SERVER = `RPC_WORK_MS=300 /usr/bin/python3 ${reference('python/slow_rpc_server.py')}`;
const NODE_SERVER = `RPC_PREFETCH=10 ${tsCommand('scenarios/implementations/node/rpc-server.ts')}`;
const NODE_DRIVER = tsCommand('scenarios/implementations/node/rpc-client-driver.ts');
const DIRECT_REPLY_TO_CLIENT = `${process.execPath} ${fixture('direct-reply-to-client.mjs')}`;

describe('external processes as their frame taps see their connections', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode({ startTimeoutMs: 120_000 }).start();
  }, 150_000);
  afterAll(async () => {
    await node?.stop();
  });

  it('connection-reset fails naming the one external server that never re-established its connection', async () => {
    const lockDir = mkdtempSync(join(tmpdir(), 'one-reconnecting-server-'));
    try {
      const result = await runForTest(node, connectionReset, {
        overrides: {
          servers: 2,
          serverCommand: `LOCK_DIR=${lockDir} ${process.execPath} ${fixture('one-reconnecting-server.mjs')}`,
          clientCommand: NODE_DRIVER,
        },
      });
      expect(failedChecks(result), explain(result)).toContain('connections-recovered');
      const servers = (result.tap?.connections ?? []).filter((c) => c.process.startsWith('server'));
      expect(servers.map((s) => s.lost)).toEqual([1, 1]);
      const back = servers.filter((s) => s.reestablished === 1);
      const gone = servers.filter((s) => s.reestablished === 0);
      expect(back).toHaveLength(1);
      expect(gone).toHaveLength(1);
      const check = result.checks.find((c) => c.id === 'connections-recovered')!;
      expect(check.actual).toContain(`did not re-establish a lost connection: ${gone[0]!.process}`);
      // One server's reconnect plus the client's reach the old bar of 2: the sum alone would pass.
      expect(result.counters.reconnects).toBeGreaterThanOrEqual(2);
      expect(result.timeline.events.some((e) => e.kind === 'connection-lost' && e.process === gone[0]!.process)).toBe(
        true,
      );
      expect(result.timeline.events.some((e) => e.kind === 'reconnect' && e.process === back[0]!.process)).toBe(true);
      // Calls the client failed while it reconnected, whose request its tap never saw: not sent, named as such.
      const neverPublished = result.timeline.events.filter(
        (e) => e.process === 'client-1' && e.detail?.startsWith('not connected (never published'),
      );
      expect(result.counters.notSent ?? 0).toBe(neverPublished.length);
      expect(result.checks.find((c) => c.id === 'calls-accounted')?.passed, explain(result)).toBe(true);
    } finally {
      rmSync(lockDir, { recursive: true, force: true });
    }
  });

  it('counts the calls an external client failed when its connection was cut under them as connection lost', async () => {
    const result = await runForTest(node, connectionReset, {
      overrides: { serverCommand: SLOW_PYTHON_SERVER, clientCommand: PYTHON_DRIVER },
    });
    // The Python driver fails every call in flight when its connection drops, then exits.
    expect(result.counters.connectionLost, explain(result)).toBeGreaterThanOrEqual(1);
    const client = result.tap?.connections.find((c) => c.process === 'client-1');
    expect(client?.lost).toBe(1);
    const lostCalls = result.timeline.events.filter((e) => e.detail?.includes('after its connection was lost'));
    expect(lostCalls.length).toBeGreaterThanOrEqual(1);
  });

  it("tells the first duplicate's story from the taps' frames when the implementations write no spans", async () => {
    const result = await runForTest(node, duplicateReply, {
      overrides: { serverCommand: PYTHON_SERVER, clientCommand: PYTHON_DRIVER },
    });
    expect(result.verdict, explain(result)).toBe('pass');
    const story = result.tap?.duplicateReplyFrames;
    expect(story, 'the duplicate frames').toBeDefined();
    const labels = story!.frames.map((f) => f.label.replace(/server-\d/g, 'server-N'));
    const order = [
      'request published by client-1',
      'delivered to server-N',
      "server-N's reply",
      'server-N held before its ack',
      'server-N killed',
      'redelivered to server-N',
      'duplicate reply delivered to client-1',
    ];
    const at = order.map((label) => labels.indexOf(label));
    expect(
      at.every((index) => index >= 0),
      labels.join(' | '),
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // Two replies reached the client, the first from the killed server, the second after the redelivery.
    expect(labels.filter((l) => l === "server-N's reply")).toHaveLength(2);
    expect(labels).toContain('reply delivered to client-1');
    const html = renderReportHtml(result);
    expect(html).toContain('data-source="frame-tap"');
    expect(html).not.toContain('No duplicate reply in this run');
    expect(html).not.toContain('sampling was capped by the trace budget');
  });

  it('reports the reply mode a client really used: direct reply-to, seen by its tap', async () => {
    const result = await runForTest(node, baseline, {
      overrides: { serverCommand: NODE_SERVER, clientCommand: DIRECT_REPLY_TO_CLIENT, clients: 1, calls: 100 },
    });
    expect(result.verdict, explain(result)).toBe('pass');
    // The scenario asked for a callback queue; the client used direct reply-to (its warm-up calls too).
    const requests = result.counters.sent + (result.config.warmup?.sent ?? 0);
    expect(result.tap?.replyModes).toEqual([
      { client: 'client-1', mode: 'direct-reply-to', directReplyTo: requests, callbackQueue: 0 },
    ]);
    expect(result.environment.replyMode).toBe('direct-reply-to');
    const summary = formatTerminalSummary(result, { color: false });
    expect(summary).toContain('direct-reply-to (client-1, observed)');
    expect(summary).toContain('observed through the AMQP frame tap');
  });
});
