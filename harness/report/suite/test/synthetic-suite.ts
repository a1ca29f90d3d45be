import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CELL_STATUSES,
  SUITE_SCHEMA_VERSION,
  type CellStatus,
  type SuiteCell,
  type SuiteImplementation,
  type SuiteResult,
} from '../../../model/suite-schema.ts';

/** The single-node catalogue's names and tags, as a suite over all of it lists them. */
const SCENARIOS: ReadonlyArray<[string, string, string[]]> = [
  ['duplicate-reply', 'servers die between reply and ack; the client must discard the duplicate', ['core', 'kill']],
  ['late-reply', 'a latency toxic outlasts the client timeout; late replies must be discarded', ['network']],
  ['latency', 'a 100 ms latency toxic; the measured p50 must reflect it', ['network']],
  ['partition', "the servers' proxy is down for 2 s: calls time out or recover", ['network']],
  ['connection-reset', 'all connections are closed mid-run; both sides reconnect', ['network', 'reconnect']],
  ['broker-restart', 'the broker restarts mid-run; both sides reconnect', ['broker', 'reconnect']],
  ['crash-before-reply', 'a server dies before it replies; the call is answered exactly once', ['core', 'kill']],
  ['bad-input', 'every 5th request body is malformed; each gets an error reply', ['core']],
  ['baseline', 'no faults: closed-loop throughput and latency', ['core']],
  ['blackhole', "the servers' link, then the clients' link, go silent for 8 s", ['network', 'heartbeat']],
  ['reply-queue-lost', "the client's connection is cut with replies in flight", ['reconnect']],
  ['no-reply', 'servers consume and ack requests but never reply for 12 s', ['core']],
  ['memory-alarm', "the broker's memory alarm blocks publishing connections for 3 s", ['broker']],
  ['consumer-cancel', 'the request queue is deleted and declared again under its consumers', ['broker']],
];

/** Names and commands with every character that HTML, XML and markdown must escape. */
export const IMPLEMENTATIONS: readonly SuiteImplementation[] = [
  { name: 'built-in', expectedFailures: [] },
  {
    name: 'python <pika> & "aio"',
    serverCommand: 'python3 rpc_server.py --queue "rpc" | tee server.log',
    clientCommand: 'python3 rpc_client_driver.py --mode <naive> && echo done',
    expectedFailures: [{ scenario: 'duplicate-reply', reason: 'pika client raises on an unknown correlation id' }],
  },
  {
    name: 'java',
    serverCommand: 'java -jar target/rpc-server.jar',
    expectedFailures: [
      { scenario: 'late-reply', reason: 'known: late replies are not discarded (issue #12)' },
      { scenario: 'bad-input', reason: 'known: a malformed body kills the consumer' },
    ],
  },
];

/** A reason with every character the renderers must escape, and one long enough to wrap. */
export const NASTY_REASON = 'check no-cross-resolution failed: call 15 <got> reply of call 16 & "x" | \'y\'';
export const LONG_REASON =
  'check kept-working-after-stale-replies failed: client-1: after a duplicate reply delivered to client-1 at ' +
  '0.946 s (correlation id 6c0f2a1e-5b7d-4c1e-9f0a-3e2d1c0b9a88), 4 % (17 of 429) of the calls it started until ' +
  '5.250 s succeeded, against 100 % (71 of 71) before; first failed call after it: at 0.948 s: "RPC channel is ' +
  'closed: unexpected reply with correlation id 6c0f2a1e5b7d4c1e9f0a3e2d1c0b9a88aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"';

/** Which cells do not pass, by `scenario/implementation`; everything else passes. */
const NOT_PASSING: Readonly<Record<string, Partial<SuiteCell> & { status: CellStatus }>> = {
  'duplicate-reply/python <pika> & "aio"': {
    status: 'expected-fail',
    reason: 'check kept-working-after-stale-replies failed',
    expectedFailReason: 'pika client raises on an unknown correlation id',
    failed: ['kept-working-after-stale-replies'],
  },
  'late-reply/java': {
    status: 'unexpected-pass',
    reason: '14 checks and 3 gates passed',
    expectedFailReason: 'known: late replies are not discarded (issue #12)',
  },
  'bad-input/java': {
    status: 'expected-fail',
    reason: 'check no-bad-replies failed: 3 bad replies',
    expectedFailReason: 'known: a malformed body kills the consumer',
    failed: ['no-bad-replies'],
  },
  'partition/python <pika> & "aio"': {
    status: 'fail',
    reason: NASTY_REASON,
    failed: ['no-cross-resolution', 'p99<250ms'],
  },
  'blackhole/java': { status: 'fail', reason: LONG_REASON, failed: ['kept-working-after-stale-replies'] },
  'broker-restart/java': {
    status: 'error',
    reason: 'the server command exited with code 127 before it consumed: sh: 1: java: not found',
  },
  'memory-alarm/java': { status: 'interrupted', reason: 'stopped by Ctrl-C after 2.1 s' },
  'consumer-cancel/python <pika> & "aio"': {
    status: 'pass',
    reason: '13 checks and 2 gates passed',
    adjustments: ['requests published without confirms (external client)'],
  },
  'consumer-cancel/java': { status: 'not-run', reason: 'the suite was interrupted before it started' },
  'no-reply/java': {
    status: 'not-applicable',
    reason:
      'servers-stop-replying tells the servers to withhold their replies, which only the built-in server can be told',
  },
};

/**
 * A schema-valid suite of the 14 single-node scenarios × 3 implementations, with every status at
 * least once and escaping bait in names, commands and reasons. `overrides` replace top-level fields.
 */
export function makeSyntheticSuite(overrides: Partial<SuiteResult> = {}): SuiteResult {
  const cells: SuiteCell[] = IMPLEMENTATIONS.flatMap((implementation) =>
    SCENARIOS.map(([scenario], index): SuiteCell => {
      const special = NOT_PASSING[`${scenario}/${implementation.name}`];
      const started = special?.status !== 'not-run' && special?.status !== 'not-applicable';
      return {
        scenario,
        implementation: implementation.name,
        status: 'pass',
        reason: `${10 + (index % 5)} checks and 3 gates passed`,
        failed: [],
        ...(started ? { runDir: `${implementation.name}/${scenario}`, durationMs: 4_000 + index * 750 } : {}),
        ...special,
      };
    }),
  );
  return {
    schemaVersion: SUITE_SCHEMA_VERSION,
    suite: {
      id: 'suite-2026-12-06T21-00-00',
      startedAt: '2026-12-06T21:00:00.000Z',
      endedAt: '2026-12-06T21:04:10.000Z',
      durationMs: 250_000,
      interrupted: true,
      exitCode: 130,
    },
    environment: {
      harnessVersion: '0.1.0',
      node: 'v20.20.2',
      platform: 'linux x64',
      cpus: 2,
      cpuModel: 'AMD EPYC 7B13',
      hostname: 'ci-runner-7',
      broker: {
        kind: 'private',
        version: '3.10.8',
        description: 'private RabbitMQ 3.10.8 node on 127.0.0.1:39123',
      },
      brokerStarts: 2,
    },
    scenarios: SCENARIOS.map(([name, description, tags]) => ({ name, description, tags })),
    implementations: IMPLEMENTATIONS.map((implementation) => ({ ...implementation })),
    cells,
    totals: totalsOf(cells),
    ...overrides,
  };
}

export function totalsOf(cells: readonly SuiteCell[]): SuiteResult['totals'] {
  const totals = Object.fromEntries(CELL_STATUSES.map((status) => [status, 0])) as SuiteResult['totals'];
  for (const cell of cells) totals[cell.status]++;
  return totals;
}

/** Creates each started cell's run folder with a stand-in report.html, as the suite runner leaves them. */
export function makeRunFolders(suiteDir: string, suite: SuiteResult): string[] {
  return suite.cells.flatMap((cell) => {
    if (cell.runDir === undefined) return [];
    const dir = join(suiteDir, cell.runDir);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'report.html');
    writeFileSync(file, `<!doctype html><title>${cell.scenario}</title><p>${cell.status}</p>\n`);
    return [file];
  });
}
