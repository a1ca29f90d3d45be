/**
 * Runs against a private RabbitMQ node: a run without a network fault connects its processes
 * to the broker itself, one with a network fault (or --proxy always) through the proxy, and the
 * calibration measures the paths a run uses, with numbers a real run can show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import baseline from '../../scenarios/baseline.ts';
import { runForTest } from '../../scenarios/test/run-for-test.ts';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { builtinClient } from '../impl/builtin/builtin-implementation.ts';
import type { ClientImplementation } from '../impl/implementation.ts';
import type { HarnessOverhead } from '../model/harness-overhead.ts';
import { renderReportHtml } from '../report/html/render-report.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { formatTerminalSummary } from '../report/terminal-summary.ts';
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import { calibrateOverhead } from './calibrate-overhead.ts';
import { startTopology } from './topology.ts';

let node: StartedPrivateRabbitNode;

/** The built-in client, noting the broker URL each instance was told to connect to. */
function urlRecordingClient(urls: string[]): ClientImplementation {
  const inner = builtinClient();
  return {
    ...inner,
    start(launch, observer) {
      urls.push(launch.amqpUrl);
      return inner.start(launch, observer);
    },
  };
}

const short = { durationMs: 1_000, servers: 1, clients: 1 };

/** A tiny latency toxic on the clients' proxy: a network fault, so the run needs the proxy. */
const withNetworkFault: ScenarioDefinition = {
  ...baseline,
  name: 'baseline-with-latency',
  faults: [
    {
      kind: 'toxic',
      proxy: 'clients',
      toxic: { type: 'latency', stream: 'downstream', attributes: { latency: 2 } },
      trigger: { atMs: 200 },
      durationMs: 300,
    },
  ],
};

function expectPlausible(overhead: HarnessOverhead | undefined, paths: string[]): void {
  expect(overhead?.paths.map((path) => path.path)).toEqual(paths);
  expect(overhead?.error).toBeUndefined();
  expect(overhead?.roundTrips).toBeGreaterThanOrEqual(20);
  // Bounded: 400 ms of sampling plus connections, even on a loaded machine.
  expect(overhead?.costMs).toBeGreaterThan(0);
  expect(overhead?.costMs).toBeLessThan(3_000);
  for (const path of overhead?.paths ?? []) {
    expect(path.p50Ms).toBeGreaterThan(0);
    expect(Number.isFinite(path.p99Ms)).toBe(true);
    expect(path.p99Ms).toBeGreaterThanOrEqual(path.p50Ms);
  }
}

describe('the proxy only where a run needs it, and what the harness adds', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('connects the clients of a run without a network fault straight to the broker, and says so', async () => {
    const urls: string[] = [];
    const result = await runForTest(node, baseline, { overrides: short, client: urlRecordingClient(urls) });
    expect(result.verdict).toBe('pass');
    expect(urls.map((url) => new URL(url).port)).toEqual([String(node.getAmqpPort())]);
    expect(result.environment.proxy).toEqual({ kind: 'none', version: '', reason: 'no network fault scheduled' });
    // Built-in implementations and no proxy: nothing stands between them and the broker to measure.
    expect(result.environment.harnessOverhead).toBeUndefined();
    const header = formatTerminalSummary(result, { color: false }).split('\n').slice(0, 5).join('\n');
    expect(header).toContain('no proxy: no network fault scheduled');
    expect(renderMarkdown(result)).toContain('no proxy: no network fault scheduled');
    expect(renderReportHtml(result)).toContain('no proxy (no network fault scheduled)');
  });

  it('connects them through the proxy when asked to (--proxy always) and measures what it adds', async () => {
    const urls: string[] = [];
    const result = await runForTest(node, baseline, {
      overrides: short,
      client: urlRecordingClient(urls),
      proxy: 'always',
    });
    expect(result.verdict).toBe('pass');
    expect(urls).toHaveLength(1);
    expect(new URL(urls[0] as string).port).not.toBe(String(node.getAmqpPort()));
    expect(result.environment.proxy).toMatchObject({ kind: 'builtin', reason: '--proxy always' });
    expectPlausible(result.environment.harnessOverhead, ['direct', 'proxy']);
    expect(result.environment.harnessOverhead?.proxy).toBeDefined();
    expect(result.environment.harnessOverhead?.tap).toBeUndefined();
    const header = formatTerminalSummary(result, { color: false }).split('\n').slice(0, 5).join('\n');
    expect(header).toMatch(/harness overhead: proxy [+−][\d.]+ ms p50 \/ [+−][\d.]+ (ms|s) p99 \(\d+ round trips/);
    expect(renderMarkdown(result)).toContain('harness overhead: proxy ');
    expect(renderReportHtml(result)).toContain('direct p50 ');
  });

  it('connects them through the proxy in a run with a network fault', async () => {
    const urls: string[] = [];
    const result = await runForTest(node, withNetworkFault, { overrides: short, client: urlRecordingClient(urls) });
    expect(result.faults.every((fault) => fault.fired)).toBe(true);
    expect(new URL(urls[0] as string).port).not.toBe(String(node.getAmqpPort()));
    expect(result.environment.proxy.kind).toBe('builtin');
    expect(result.environment.proxy.reason).toMatch(/^network fault: latency downstream/);
    expectPlausible(result.environment.harnessOverhead, ['direct', 'proxy']);
  });

  it('measures a frame tap straight to the broker without a proxy, and in front of one with it', async () => {
    const bare = await startTopology({ broker: node, proxy: 'none', runId: 'calibration-bare' });
    try {
      expect(bare.proxying).toBeUndefined();
      expect(bare.amqpUrlFor('servers', 1)).toBe(node.getAmqpUrl());
      const overhead = await calibrateOverhead(bare, true);
      expectPlausible(overhead, ['direct', 'tap']);
      expect(overhead?.tap).toBeDefined();
      expect(overhead?.proxy).toBeUndefined();
      expect(await calibrateOverhead(bare, false)).toBeUndefined();
    } finally {
      await bare.stop();
    }
    const proxied = await startTopology({ broker: node, proxy: 'builtin', runId: 'calibration-proxied' });
    try {
      const overhead = await calibrateOverhead(proxied, true);
      expectPlausible(overhead, ['direct', 'proxy', 'tap+proxy']);
      expect(overhead?.proxy).toBeDefined();
      expect(overhead?.tap).toBeDefined();
    } finally {
      await proxied.stop();
    }
  });
});
