/**
 * `npm run bench`: the speed and overhead targets, measured in one run on one broker so
 * ratios compare like with like on a noisy machine. Prints a table per section, then every
 * target judged pass or FAIL, and writes JSON (reports/bench-<time>.json, or --out).
 * Exit codes: 0 done; 1 a target failed under --check; 2 bad options or the bench could not run.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { makeDirectory } from '../env/output-paths.ts';
import { EXIT_FAILED, EXIT_HARNESS_ERROR, EXIT_PASS } from '../exit-codes.ts';
import { BROKER_SECTIONS } from './broker-sections.ts';
import { benchTcpProxy } from './tcp-proxy-bench.ts';
import { benchReport } from './report-bench.ts';
import { benchSuite } from './suite-bench.ts';
import { benchObserve } from '../observe/bench-observe.ts';
import { formatTable } from './format-table.ts';
import { parseBenchOptions } from './bench-options.ts';
import { SECTIONS_WITHOUT_BROKER, type BenchResults } from './bench-results.ts';
import { describeFailures, formatTargetValue, judgeTargets, type TargetVerdict } from './bench-targets.ts';

const parsed = parseBenchOptions(process.argv.slice(2));
if (!('options' in parsed)) {
  for (const error of parsed.errors) console.error(`bench: ${error}`);
  process.exit(parsed.exitCode);
}
const { options } = parsed;
const { sections: only } = options;

/** The sections that measure on a RabbitMQ node of their own, started once for all of them. */
async function runBrokerSections(results: BenchResults): Promise<void> {
  const node = await new PrivateRabbitNode().start();
  try {
    results.broker = node.getVersion();
    for (const section of BROKER_SECTIONS) {
      if (only.has(section.name)) await section.run(node, options, results);
    }
  } finally {
    await node.stop();
  }
}

async function runSectionsWithoutBroker(results: BenchResults): Promise<void> {
  if (only.has('proxy-tcp')) {
    const tcp = await benchTcpProxy({ ...options.tcp, toxiproxyUrl: process.env.TOXIPROXY_URL });
    results.proxyTcp = tcp;
    const tcpRow = (name: string, sample: typeof tcp.direct) => [
      name,
      sample.p50Ms.toFixed(3),
      sample.p99Ms.toFixed(3),
      sample.megabytesPerSec.toFixed(0),
      (sample.p50Ms / tcp.direct.p50Ms).toFixed(2),
      (sample.megabytesPerSec / tcp.direct.megabytesPerSec).toFixed(3),
    ];
    console.log(
      `\nProxy on raw TCP: ping-pong of 64 B (${tcp.roundTrips} round trips) and bulk ` +
        `(${tcp.bulkBytes / 1e6} MB one way), built-in proxy on its own thread ` +
        `(target vs direct: bulk >= 0.9x; vs a real Toxiproxy: p99 and bulk at least as good)`,
    );
    console.log(
      formatTable(
        ['path', 'ping-pong p50 ms', 'p99 ms', 'bulk MB/s', 'p50 vs direct', 'bulk vs direct'],
        [
          tcpRow('direct', tcp.direct),
          tcpRow('built-in proxy', tcp.builtin),
          ...(tcp.toxiproxy ? [tcpRow(`Toxiproxy ${tcp.toxiproxyVersion}`, tcp.toxiproxy)] : []),
        ],
      ),
    );
    console.log(
      tcp.toxiproxy
        ? `built-in vs real Toxiproxy: p99 ${(tcp.builtin.p99Ms / tcp.toxiproxy.p99Ms).toFixed(2)}x (target <= 1), ` +
            `bulk ${(tcp.builtin.megabytesPerSec / tcp.toxiproxy.megabytesPerSec).toFixed(2)}x (target >= 1)`
        : 'built-in vs real Toxiproxy: not measured: no real Toxiproxy reachable (set TOXIPROXY_URL)',
    );
  }
  if (only.has('observe')) {
    const observe = await benchObserve();
    results.observe = observe;
    console.log('\nHDR recording (hdr-histogram-js, pure JS)');
    console.log(
      formatTable(
        ['measure', 'value'],
        Object.entries(observe).map(([key, value]) => [
          key,
          value.toFixed(key.endsWith('.ns') || key.endsWith('.bytes') ? 0 : 2),
        ]),
      ),
    );
  }

  if (only.has('suite')) await runSuiteSection(results);

  if (only.has('report')) {
    const report = await benchReport();
    results.report = report;
    console.log(
      '\nreport.html of a 10-minute run at 500 calls/s (targets: < 2 MB, opens in < 2 s in headless Chromium)',
    );
    console.log(
      formatTable(
        ['size', 'open until charts drawn (median / max)', 'generate (Node)', 'series points', 'timeline events'],
        [
          [
            `${((report.htmlBytes ?? 0) / 1024).toFixed(0)} KiB`,
            `${report.openMs} / ${report.openMsMax} ms`,
            `${report.generateMs} ms`,
            String(report.seriesPoints),
            String(report.timelineEvents),
          ],
        ],
      ),
    );
  }
}

async function runSuiteSection(results: BenchResults): Promise<void> {
  const suite = await benchSuite(options.suite);
  results.suite = suite;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `\nSuite: npm run suite, ${suite.wholeCatalogue ? 'the single-node catalogue' : suite.scenarios.join(', ')} ` +
      `against the built-ins on one shared broker (target: the catalogue < 180 s end to end, every cell passes)`,
  );
  console.log(
    formatTable(
      ['measure', 'value'],
      [
        ['end to end (npm run suite to its exit)', seconds(suite.wallMs)],
        ['exit code', String(suite.exitCode)],
        ['broker starts', String(suite.brokerStarts)],
        [
          'cells (sum of their run times)',
          `${suite.cells.length} (${seconds(suite.cells.reduce((sum, c) => sum + c.runMs, 0))})`,
        ],
        ...suite.cells.map((cell) => [`  ${cell.scenario}`, `${seconds(cell.runMs)} ${cell.status}`]),
      ],
      [1],
    ),
  );
  if (suite.alone.length === 0) return;
  console.log('\nThe same scenarios alone, each starting a broker of its own (run.durationMs, broker start included)');
  console.log(
    formatTable(
      ['scenario', 'alone', 'in the suite', 'saved by the shared broker'],
      suite.alone.map((row) => [
        row.scenario,
        seconds(row.aloneRunMs),
        seconds(row.suiteRunMs),
        seconds(row.aloneRunMs - row.suiteRunMs),
      ]),
      [1, 2, 3],
    ),
  );
}

function printTargets(verdicts: readonly TargetVerdict[]): void {
  console.log(
    `\nTargets (${options.check ? '--check: a FAIL fails the run' : 'with --check a FAIL fails the run'}; ` +
      `--target name=value replaces a threshold)`,
  );
  if (verdicts.length === 0) {
    console.log('none: the sections run have no targets');
    return;
  }
  console.log(
    formatTable(
      ['target', 'measured', 'target', 'verdict', 'what'],
      verdicts.map((verdict) => [
        verdict.name,
        `${formatTargetValue(verdict.value, verdict.unit)}${verdict.detail ? ` (${verdict.detail})` : ''}`,
        `${verdict.op} ${formatTargetValue(verdict.threshold, verdict.unit)}${verdict.overridden ? ' (--target)' : ''}`,
        verdict.pass ? 'pass' : 'FAIL',
        verdict.what,
      ]),
      [4],
    ),
  );
}

const results: BenchResults = { startedAt: new Date().toISOString(), node: process.version, quick: options.quick };
try {
  if ([...only].some((section) => !SECTIONS_WITHOUT_BROKER.has(section))) await runBrokerSections(results);
  await runSectionsWithoutBroker(results);
} catch (error) {
  console.error(`bench: could not run: ${(error as Error).stack ?? String(error)}`);
  process.exit(EXIT_HARNESS_ERROR);
}

const targets = judgeTargets(results, options.thresholds);
printTargets(targets);
const out = options.out ?? join('reports', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
makeDirectory(dirname(out));
writeFileSync(out, `${JSON.stringify({ ...results, targets }, null, 2)}\n`);
console.log(`\nwritten: ${out}`);

const failures = describeFailures(targets);
if (options.check && failures.length > 0) {
  console.error(
    `bench: --check: ${failures.length} of ${targets.length} targets failed:\n  - ${failures.join('\n  - ')}`,
  );
  process.exitCode = EXIT_FAILED;
} else {
  process.exitCode = EXIT_PASS;
}
