/**
 * Clients as libraries really behave: one whose reply consumer starts only with its first call
 * (it says it is ready with a line, and warm-up calls keep its set-up out of the measurement),
 * and one that reconnects only 5 s after it lost its connection, as the Java client's automatic
 * recovery does on its defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../../env/broker/private-rabbit-node.ts';
import type { ScenarioResult } from '../../../model/result-schema.ts';
import baseline from '../../../../scenarios/baseline.ts';
import connectionReset from '../../../../scenarios/connection-reset.ts';
import { explain, failedChecks, runForTest } from '../../../../scenarios/test/run-for-test.ts';

let node: StartedPrivateRabbitNode;
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
/** What the lazy client spends setting itself up at its first call. */
const LAZY_SETUP_MS = 1_500;
const lazyClient = (setupMs: number) =>
  `LAZY_SETUP_MS=${setupMs} ${process.execPath} ${fixture('lazy-consumer-client.mjs')}`;
const LAZY_CLIENT = lazyClient(LAZY_SETUP_MS);
const slowReconnectClient = (after: string) =>
  `RECONNECT_AFTER_MS=${after} ${process.execPath} ${fixture('slow-reconnect-client.mjs')}`;
// A short closed-loop run: the lazy client's first calls are a visible share of it.
const SHORT_BASELINE = { durationMs: 2_000, clients: 1, concurrency: 4 } as const;

/** Every call the load generator started is counted once, and no warm-up call among them. */
function expectOnlyMeasuredCallsCounted(result: ScenarioResult): void {
  expect(result.counters.sent).toBe(result.offeredLoad?.started);
  const answeredByStart = result.callsByStart!.intervals.reduce((sum, interval) => sum + interval.answered, 0);
  expect(answeredByStart).toBe(result.counters.answered);
  expect(result.latency.summary.count).toBe(result.counters.answered);
}

beforeAll(async () => {
  node = await new PrivateRabbitNode({ startTimeoutMs: 120_000 }).start();
}, 150_000);
afterAll(async () => {
  await node?.stop();
});

describe('a client whose reply consumer starts at its first call', { timeout: 120_000 }, () => {
  it('is ready by its {"ready":true} line, and warm-up calls keep its set-up out of the measured latency', async () => {
    const result = await runForTest(node, baseline, { overrides: { ...SHORT_BASELINE, clientCommand: LAZY_CLIENT } });
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.config.warmup).toEqual({ callsPerClient: 3, sent: 3, answered: 3, failed: 0, failures: [] });
    expectOnlyMeasuredCallsCounted(result);
    expect(result.latency.summary.max).toBeLessThan(LAZY_SETUP_MS);
  });

  it('without warm-up calls, the same set-up lands in the first measured calls', async () => {
    const result = await runForTest(node, baseline, {
      overrides: { ...SHORT_BASELINE, warmupCalls: 0, clientCommand: LAZY_CLIENT },
    });
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.config.warmup).toBeUndefined();
    expect(result.latency.summary.max).toBeGreaterThanOrEqual(LAZY_SETUP_MS);
  });

  it('with neither a ready line nor a consumer, the run ends with an error that names both', async () => {
    const result = await runForTest(node, baseline, {
      overrides: { ...SHORT_BASELINE, readyTimeoutMs: 2_000, clientCommand: `LAZY_NO_READY=1 ${LAZY_CLIENT}` },
    });
    expect(result.verdict).toBe('error');
    expect(result.harnessErrors.join('\n')).toMatch(
      new RegExp(
        String.raw`client-1 \(command: .*lazy-consumer-client\.mjs\) was not ready: ` +
          String.raw`it neither consumed a queue nor printed \{"ready":true\} on stdout within 2\.0 s`,
      ),
    );
  });

  it('a warm-up in which no call succeeds does not fail the run by itself, and the run says so', async () => {
    // Set-up outlasts the three warm-up calls' 500 ms timeouts.
    const result = await runForTest(node, baseline, {
      overrides: { ...SHORT_BASELINE, timeoutMs: 500, clientCommand: lazyClient(2_500) },
    });
    expect(result.harnessErrors).toEqual([]);
    expect(result.config.warmup).toMatchObject({ sent: 3, answered: 0, failed: 3 });
    expect(result.config.warmup?.failures[0]).toBe('client-1: warm-up call 1: timeout');
    expect(result.warnings).toContain(
      'none of the 3 warm-up calls succeeded (client-1: warm-up call 1: timeout): ' +
        'the measured load started against clients or servers that had not answered a call yet',
    );
    expect(result.counters.answered).toBeGreaterThan(0);
  });

  it("the built-in client warms up too, and its warm-up requests are accounted as this run's", async () => {
    const result = await runForTest(node, baseline, { overrides: SHORT_BASELINE });
    expect(result.verdict, explain(result)).toBe('pass');
    expect(result.config.warmup).toEqual({ callsPerClient: 3, sent: 3, answered: 3, failed: 0, failures: [] });
    expectOnlyMeasuredCallsCounted(result);
    // The servers handled the warm-up requests too: they are among the published ones, not strangers'.
    expect(result.checks.find((check) => check.id === 'requests-handled-match-sent')?.passed).toBe(true);
  });
});

describe('a client that reconnects 5 s after it lost its connection', { timeout: 120_000 }, () => {
  it('passes connection-reset: the load runs on for the recovery allowance after the last cut', async () => {
    const result = await runForTest(node, connectionReset, {
      overrides: { clientCommand: slowReconnectClient('5000') },
    });
    expect(result.verdict, explain(result)).toBe('pass');
    const recovered = result.checks.find((check) => check.id === 'connections-recovered');
    expect(recovered?.expectation).toBe(
      'reconnects >= 2, and every process a frame tap saw lose its connection re-established one, ' +
        'the load running on for the recovery allowance (7 s) after the last cut',
    );
  });

  it('FAILS connection-reset when its reconnect comes after the recovery allowance (the old 6 s run)', async () => {
    // As the scenario was before the allowance: clients cut at 1.5 s, the load over 4.5 s later.
    const result = await runForTest(node, connectionReset, {
      overrides: { durationMs: 6_000, recoveryAllowanceMs: 3_000, clientCommand: slowReconnectClient('5000') },
    });
    expect(result.verdict).toBe('fail');
    expect(failedChecks(result)).toContain('recovered-after-faults');
  });

  it('FAILS connection-reset when it never reconnects (negative control)', async () => {
    const result = await runForTest(node, connectionReset, {
      overrides: { clientCommand: slowReconnectClient('never') },
    });
    expect(result.verdict).toBe('fail');
    expect(failedChecks(result)).toEqual(expect.arrayContaining(['connections-recovered', 'recovered-after-faults']));
  });
});
