/**
 * The open-loop generator through the real path (a client worker process, two server worker
 * processes, the built-in proxy, a private broker): every call that fell due is accounted for.
 * Timing (achieved rate, start lateness) belongs to `npm run bench`, not here: this machine is
 * shared and its timing is not the generator's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLoopScenario } from '../bench/open-loop-bench.ts';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { runScenario } from '../engine/run-scenario.ts';

let node: StartedPrivateRabbitNode;
const runDir = mkdtempSync(join(tmpdir(), 'rpc-chaos-open-loop-accounting-'));

beforeAll(async () => {
  node = await new PrivateRabbitNode().start();
});

afterAll(async () => {
  await node?.stop();
  rmSync(runDir, { recursive: true, force: true });
});

describe('open loop at 2,000 calls/s', { timeout: 120_000 }, () => {
  it(
    'accounts for every call that fell due: rate x duration due, each started or dropped, ' +
      'each started call answered or failed',
    async () => {
      const ratePerSec = 2_000;
      const durationMs = 2_000;
      const result = await runScenario({
        definition: openLoopScenario(ratePerSec, durationMs),
        broker: node,
        proxy: 'builtin',
        seed: 1,
        runDir,
        gates: [],
        tracing: { enabled: true, sampleRatio: 0.01 },
      });
      expect(result.harnessErrors).toEqual([]);
      const offered = result.offeredLoad!;
      // Intended starts at 0, 0.5, ..., 1999.5 ms: exactly rate x duration, from the schedule alone.
      expect(offered.due).toBe((ratePerSec * durationMs) / 1000);
      expect(offered.started + offered.dropped).toBe(offered.due);
      expect(offered.unaccounted).toBe(0);
      // Every started call was sent and ended one way or another, once.
      const c = result.counters;
      expect(c.sent).toBe(offered.started);
      expect(c.answered + c.timedOut + c.remoteErrors + c.connectionLost + c.otherErrors).toBe(c.sent);
      // One lateness sample per call the generator started: the sent ones, and any the client refused
      // at its in-flight limit (counted as dropped).
      expect(offered.startLateness?.count).toBeGreaterThanOrEqual(offered.started);
      expect(offered.startLateness?.count).toBeLessThanOrEqual(offered.due);
      expect(result.checks.find((check) => check.id === 'calls-accounted')?.passed).toBe(true);
    },
  );
});
