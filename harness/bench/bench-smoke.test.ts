import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_SECTIONS, type BenchResults, type BenchSection } from './bench-results.ts';
import { BENCH_TARGETS, TARGET_NAMES, type TargetVerdict } from './bench-targets.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'rpc-chaos-bench-smoke-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every section at the smallest sizes that still measure something. */
const TINY = [
  '--quick',
  '--round-ms',
  '300',
  '--rounds',
  '1',
  '--tracing-pairs',
  '2',
  '--scenario-runs',
  '1',
  '--open-loop-ms',
  '1000',
  '--memory-ms',
  '5000',
  '--suite-scenarios',
  'latency',
  '--suite-alone',
  '1',
];

/** What each section prints (its table's title) and where the JSON file keeps it. */
const SECTION_OUTPUT: Record<
  BenchSection,
  { readonly titles: readonly string[]; readonly keys: ReadonlyArray<keyof BenchResults> }
> = {
  server: { titles: ['\nServer alone: '], keys: ['serverAlone'] },
  rpc: { titles: ['\nRPC: FibRpcClient/FibRpcServer vs a raw amqplib'], keys: ['rpc'] },
  tracing: {
    titles: ['\nTracing overhead ', '\nTracing at 1 % switched on and off'],
    keys: ['tracing', 'tracingAlternating'],
  },
  proxy: { titles: ['\nBuilt-in proxy: RPC '], keys: ['proxy'] },
  'proxy-tcp': { titles: ['\nProxy on raw TCP: '], keys: ['proxyTcp'] },
  tap: { titles: ['\nAMQP frame tap: '], keys: ['tap'] },
  protocol: { titles: ['\nClient line protocol: '], keys: ['protocol'] },
  'late-reply': { titles: ['\nlate-reply timeouts by proxy '], keys: ['lateReply'] },
  startup: { titles: ['\nStart-up '], keys: ['startup'] },
  'open-loop': { titles: ['\nOpen-loop generator, '], keys: ['openLoop'] },
  memory: { titles: ['\nRSS over a '], keys: ['memory'] },
  observe: { titles: ['\nHDR recording '], keys: ['observe'] },
  report: { titles: ['\nreport.html of a 10-minute run '], keys: ['report'] },
  suite: { titles: ['\nSuite: npm run suite, ', '\nThe same scenarios alone'], keys: ['suite'] },
};

interface BenchRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** `npm run bench -- ...` as a user runs it: the built bench (dist/bench.js), a private broker of its own. */
function runBench(args: readonly string[], timeoutMs: number): Promise<BenchRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'bench', '--', ...args], {
      cwd: REPO,
      // No external broker or Toxiproxy: the bench starts and stops its own.
      env: { ...process.env, AMQP_URL: '', TOXIPROXY_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`npm run bench ${args.join(' ')} did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

const readJson = (file: string) =>
  JSON.parse(readFileSync(file, 'utf8')) as BenchResults & { targets: TargetVerdict[] };

describe('npm run bench', { timeout: 420_000 }, () => {
  it(
    'runs every section at tiny sizes through the built command, ' +
      'printing and writing each, then judging every target',
    async () => {
      const out = join(scratch, 'smoke.json');
      const run = await runBench([...TINY, '--out', out], 400_000);
      console.info(`bench smoke run of every section: ${(run.ms / 1000).toFixed(1)} s`);
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      const json = readJson(out);
      for (const section of BENCH_SECTIONS) {
        for (const title of SECTION_OUTPUT[section].titles) expect(run.stdout, section).toContain(title);
        for (const key of SECTION_OUTPUT[section].keys)
          expect(json[key], `${section}: ${key} in the JSON file`).toBeDefined();
      }
      expect(run.stdout).toContain(`\nwritten: ${out}`);

      // Each section measured real traffic, not just printed a table.
      expect(json.serverAlone!.ours.calls).toBeGreaterThan(0);
      expect(json.rpc!.map((row) => row.replyMode)).toEqual(['callback-queue', 'direct-reply-to']);
      for (const row of json.rpc!) expect(row.ours.calls).toBeGreaterThan(0);
      expect(json.tracing!.map((row) => row.mode)).toEqual(['off', '100%', '1%']);
      expect(json.tracingAlternating!.pairs).toBe(2);
      expect(json.proxy).toHaveLength(4);
      expect(json.proxyTcp!.builtin.megabytesPerSec).toBeGreaterThan(0);
      expect(json.tap!.every((row) => row.withTap.calls > 0 && row.overTcp.sample.calls > 0)).toBe(true);
      expect(json.protocol!.throughProtocol.calls).toBeGreaterThan(0);
      expect(json.lateReply!.rows[0]!.sent).toBeGreaterThan(0);
      expect(json.startup!.workerStart[0]!.samplesMs).toHaveLength(10);
      expect(json.startup!.duplicateReplyRuns).toHaveLength(1);
      expect(json.openLoop!.atTarget.started).toBeGreaterThan(0);
      // The runner and two servers and two clients, each sampled after warm-up.
      expect(json.memory!.processes.map((row) => row.process).sort()).toEqual([
        'client-1',
        'client-2',
        'runner',
        'server-1',
        'server-2',
      ]);
      expect(json.observe!['observe.recordValue.ns']).toBeGreaterThan(0);
      expect(json.report!.htmlBytes).toBeGreaterThan(0);
      expect(json.suite!.cells.map((cell) => `${cell.scenario}: ${cell.status}`)).toEqual(['latency: pass']);
      expect(json.suite!.brokerStarts).toBe(1);
      expect(json.suite!.alone[0]!.aloneRunMs).toBeGreaterThan(0);

      // Every target of the sections run is judged (those needing a real Toxiproxy only with one),
      // in the table and in the JSON file.
      const optional = new Set([
        'proxy-tcp.p99-vs-toxiproxy',
        'proxy-tcp.bulk-vs-toxiproxy',
        'open-loop.realtime.lateness-p99-ms',
        // Judged only on the whole single-node catalogue, which a smoke run does not take the time for.
        'suite.single-node-catalogue-s',
      ]);
      const judged = json.targets.map((verdict) => verdict.name);
      for (const name of TARGET_NAMES.filter((name) => !optional.has(name))) expect(judged, name).toContain(name);
      expect(new Set(judged.map((name) => BENCH_TARGETS[name].section)).size).toBe(11);
      const table = run.stdout.slice(run.stdout.indexOf('\nTargets ('));
      for (const verdict of json.targets)
        expect(table).toMatch(
          new RegExp(`\\n${verdict.name.replace(/\./g, '\\.')} .* ${verdict.pass ? 'pass' : 'FAIL'} `),
        );
    },
  );

  it('with --check, exits 1 naming the target that failed, and 0 when every target passes', async () => {
    // The report's html is about 230 KB: a 1 KB size target cannot be met. The open time is not
    // what this test is about, so its threshold is set out of reach of a loaded machine.
    const failing = join(scratch, 'check-fails.json');
    const run = await runBench(
      [
        '--only',
        'report',
        '--check',
        '--target',
        'report.html-bytes=1000',
        '--target',
        'report.open-ms=600000',
        '--out',
        failing,
      ],
      200_000,
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        String.raw`bench: --check: 1 of 2 targets failed:\n {2}- report\.html-bytes \d+ bytes, ` +
          String.raw`target < 1000 bytes \(set by --target\)\n`,
      ),
    );
    expect(run.stdout).toMatch(/\nreport\.html-bytes +\d+ bytes +< 1000 bytes \(--target\) +FAIL /);
    expect(readJson(failing).targets.map((verdict) => [verdict.name, verdict.pass])).toEqual([
      ['report.html-bytes', false],
      ['report.open-ms', true],
    ]);

    const passing = join(scratch, 'check-passes.json');
    const again = await runBench(
      ['--only', 'report', '--check', '--target', 'report.open-ms=600000', '--out', passing],
      200_000,
    );
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stderr).not.toContain('--check');
    expect(readJson(passing).targets.every((verdict) => verdict.pass)).toBe(true);
  });

  it('refuses a bad option before measuring anything, with exit code 2', async () => {
    const run = await runBench(['--only', 'rpc,cpu', '--target', 'report.size=1'], 60_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bench: --only: unknown section cpu; sections: rpc, server, ');
    expect(run.stderr).toContain('bench: --target "report.size=1": unknown target "report.size"');
  });
});
