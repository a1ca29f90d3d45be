import { cpus } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../harness/env/broker/private-rabbit-node.ts';
import { evaluateGates } from '../../harness/gate/evaluate.ts';
import { parseGate } from '../../harness/gate/parse-gate.ts';
import type { ScenarioResult } from '../../harness/model/result-schema.ts';
import { formatTerminalSummary } from '../../harness/report/terminal-summary.ts';
import { defineScenario } from '../../harness/scenario/define-scenario.ts';
import { slowToRecoverClient } from './negative-controls/index.ts';
import { explain, runForTest } from './run-for-test.ts';

/** Every client connection is cut at 1.5 s; three clients, of which client-2 waits 4 s before it sends again. */
const clientsCut = defineScenario({
  name: 'clients-cut',
  description: 'all client connections are closed once; three clients reconnect',
  topology: { servers: 1, clients: 3, replyMode: 'callback-queue', prefetch: 10, confirmReplies: false },
  load: { executor: 'constant-arrival-rate', ratePerSec: 20, durationMs: 8_000, maxInFlight: 100 },
  timeoutMs: 1_500,
  faults: [{ kind: 'close-connections', proxy: 'clients', trigger: { atMs: 1_500 } }],
  checks: [],
  gates: [],
  tracing: { sampleRatio: 0.05 },
});

let node: StartedPrivateRabbitNode;
let result: ScenarioResult;

describe('availability per client, in a real run', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().start();
    result = await runForTest(node, clientsCut, { client: slowToRecoverClient() });
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('sees the client that sent nothing for 4 s although all clients together kept answering', () => {
    const [impact] = result.faultImpact ?? [];
    expect(impact, explain(result)).toBeDefined();
    expect(impact!.clients?.map((c) => c.client).sort()).toEqual(['client-1', 'client-2', 'client-3']);
    // All clients together: answered again within a second or two of the cut.
    expect(impact!.unavailabilityMs).not.toBeNull();
    expect(impact!.unavailabilityMs!).toBeLessThan(2_000);
    // client-2 held its calls for 4 s after the cut (at 1 s resolution).
    expect(impact!.worstUnavailability?.client).toBe('client-2');
    expect(impact!.worstUnavailability?.ms).toBeGreaterThanOrEqual(3_000);
    expect(impact!.worstUnavailability?.ms).toBeLessThanOrEqual(5_500);
    expect(impact!.baseline).toBe('before-fault');
  });

  it('fails during(...).unavailability.max<2s and names client-2, where unavailability<2s passes', () => {
    const [worst, merged] = evaluateGates(result, [
      parseGate('during(close-connections).unavailability.max<2s'),
      parseGate('during(close-connections).unavailability<2s'),
    ]);
    expect(worst?.passed).toBe(false);
    expect(worst?.detail).toContain('worst client: client-2');
    expect(merged?.passed, merged?.detail).toBe(true);
  });

  it('samples the memory and CPU of every client, the server and the broker, once a second', () => {
    const processes = result.resources?.processes ?? [];
    expect(processes.map((p) => p.name).sort()).toEqual(['broker', 'client-1', 'client-2', 'client-3', 'server-1']);
    const MiB = 1024 * 1024;
    for (const { name, role, samples } of processes) {
      // 8 s of load at one reading a second, and the stop phase after it.
      expect(samples.length, name).toBeGreaterThanOrEqual(6);
      expect(samples.every((s, i) => i === 0 || s.tMs > samples[i - 1]!.tMs)).toBe(true);
      // A Node worker holds tens of MiB, a RabbitMQ node about a hundred; none a gigabyte.
      const rss = samples.map((s) => s.rssBytes);
      expect(Math.min(...rss), name).toBeGreaterThan((role === 'broker' ? 60 : 20) * MiB);
      expect(Math.max(...rss), name).toBeLessThan(1024 * MiB);
      const cpu = samples.map((s) => s.cpuPercent);
      expect(Math.max(...cpu), name).toBeGreaterThan(0);
      // At most every core of the machine, with a tenth for readings a little apart.
      expect(Math.max(...cpu), name).toBeLessThanOrEqual(100 * cpus().length * 1.1);
    }
  });

  it('names the worst client in the terminal header', () => {
    const text = formatTerminalSummary(result, { color: false });
    expect(text).toMatch(/impact {4}unavailability .*, worst client client-2 \d/);
  });
});
