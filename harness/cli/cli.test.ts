import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../test/poll.ts';

const CLI = new URL('./cli.ts', import.meta.url).pathname;
/** How long processes a run started may take to be gone after it exits, on a loaded machine. */
const REAP_BOUND_MS = 10_000;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  pid: number;
}

/** Runs the CLI as `npm run scenario` does; `marker` lets the test find every process it left. */
function runCli(
  args: string[],
  options: {
    marker?: string;
    env?: NodeJS.ProcessEnv;
    onStderr?: (text: string, child: ReturnType<typeof spawn>) => void;
  } = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: {
        ...process.env,
        RPC_CHAOS_TEST_MARKER: options.marker ?? '',
        AMQP_URL: '',
        TOXIPROXY_URL: '',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, child);
    });
    child.on('exit', (code) => resolve({ code, stdout, stderr, pid: child.pid! }));
  });
}

/** Processes still alive that carry the marker in their environment, or a broker node named after the CLI's pid. */
function leftovers(marker: string, cliPid: number): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (environ.includes(`RPC_CHAOS_TEST_MARKER=${marker}`) || cmdline.includes(`rpc-chaos-${cliPid}-`))
        found.push(`${entry}: ${cmdline.slice(0, 120)}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Temporary folders of this file's runs, removed when it ends. */
const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

describe('npm run scenario', { timeout: 120_000 }, () => {
  afterAll(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the scenarios with their descriptions and tags', async () => {
    const run = await runCli(['list']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}blackhole +the servers' link.* \[network, production\]$/m);
    for (const name of [
      'duplicate-reply',
      'late-reply',
      'latency',
      'partition',
      'connection-reset',
      'broker-restart',
      'crash-before-reply',
      'bad-input',
      'baseline',
    ]) {
      expect(run.stdout).toContain(name);
    }
  });

  it('exits 2 on an unknown scenario, listing the valid ones', async () => {
    const run = await runCli(['duplicate-replies']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown scenario "duplicate-replies". Valid scenarios:');
    expect(run.stderr).toContain('duplicate-reply');
  });

  it('refuses a --duration too short for the recovery allowance, and a warm-up count out of range', async () => {
    const [tooShort, tooManyWarmups] = await Promise.all([
      runCli(['connection-reset', '--duration', '6s', '--recovery-allowance', '5s']),
      runCli(['baseline', '--warmup-calls', '101']),
    ]);
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toContain(
      'the load lasts 6 s, but its last connection-cutting fault ends at 3 s and recovery is judged within 5 s',
    );
    expect(tooShort.stderr).toContain('make the load last at least 8 s (--duration), or lower --recovery-allowance');
    expect(tooManyWarmups.code).toBe(2);
    expect(tooManyWarmups.stderr).toContain('expected an integer from 0 to 100, got "101"');
  });

  it('exits 2 on bad options, saying what was wrong, before starting anything', async () => {
    const badRate = await runCli(['baseline', '--rate', '-5']);
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toContain('expected a number > 0, got "-5"');
    const badDuration = await runCli(['baseline', '--duration', '10']);
    expect(badDuration.code).toBe(2);
    expect(badDuration.stderr).toContain('use a number with a unit');
    const both = await runCli(['baseline', '--rate', '10', '--concurrency', '2']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--rate (open loop) and --concurrency (closed loop) exclude each other');
    const badGate = await runCli(['baseline', '--gate', 'p99<5kg']);
    expect(badGate.code).toBe(2);
    expect(badGate.stderr).toContain('bad gate "p99<5kg": unit "kg" does not fit p99');
    const [reservedQueue, busyWithoutQueue] = await Promise.all([
      runCli(['baseline', '--queue', 'amq.mine', '--allow-busy-queue']),
      runCli(['baseline', '--allow-busy-queue']),
    ]);
    expect(reservedQueue.code).toBe(2);
    expect(reservedQueue.stderr).toContain('queue name "amq.mine" starts with "amq.", which the broker reserves');
    expect(busyWithoutQueue.code).toBe(2);
    expect(busyWithoutQueue.stderr).toContain('--allow-busy-queue applies to a named request queue');
    const badPriority = await runCli(['baseline', '--client-priority', 'fast']);
    expect(badPriority.code).toBe(2);
    expect(badPriority.stderr).toContain(
      "option '--client-priority <priority>' argument 'fast' is invalid. Allowed choices are normal, realtime.",
    );
    const missingBaseline = await runCli(['baseline', '--baseline', '/nonexistent/baseline.json']);
    expect(missingBaseline.code).toBe(2);
    expect(missingBaseline.stderr).toContain('cannot read baseline /nonexistent/baseline.json');
  });

  it('refuses output paths that cannot be written, at once and before starting anything', async () => {
    const dir = tempDir('rpc-chaos-cli-paths-');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const cases: Array<[string[], string]> = [
      [['--out', '/proc/x'], '--out /proc/x: /proc is on the proc pseudo filesystem'],
      [
        ['--out', join(dir, 'ok'), '--save-baseline', '/proc/sub/b.json'],
        '--save-baseline /proc/sub/b.json: /proc is on the proc pseudo filesystem',
      ],
      [['--out', join(file, 'sub')], `${file} is a file, so no folder can be created under it`],
      [['--out', file], 'a file of that name exists; give a folder'],
      [['--out', join(dir, 'ok'), '--save-baseline', dir], 'that is a folder; give a file name'],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCli(['baseline', ...args])));
    for (const [index, run] of runs.entries()) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(cases[index]![1]);
      expect(run.stderr).not.toContain('starting broker');
    }
    expect(existsSync(join(dir, 'ok'))).toBe(false);
  });

  it('refuses a run folder that already holds a run', async () => {
    const dir = tempDir('rpc-chaos-cli-taken-');
    writeFileSync(join(dir, 'result.json'), '{}');
    const run = await runCli(['baseline', '--out', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${dir} already holds a run (result.json): choose another --out, or pass --overwrite to replace it`,
    );
    expect(readFileSync(join(dir, 'result.json'), 'utf8')).toBe('{}');
  });

  it('a run that cannot start writes result.json with verdict error and the reason, and exits 2', async () => {
    const dir = join(tempDir('rpc-chaos-cli-nostart-'), 'run');
    const run = await runCli(['baseline', '--broker', 'url', '--out', dir]);
    expect(run.code, run.stderr).toBe(2);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    expect(result.verdict).toBe('error');
    expect(result.harnessErrors).toEqual([
      'could not start the environment: --broker url needs AMQP_URL, e.g. AMQP_URL=amqp://guest:guest@127.0.0.1:5672',
    ]);
    expect(result.environment.broker).toMatchObject({ kind: 'url', version: 'not started' });
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('--broker url needs AMQP_URL');
    expect(existsSync(join(dir, '.rpc-chaos.lock'))).toBe(false);
  });

  it('records the proxy a run meant to use: none without a network fault, the proxy with --proxy always', async () => {
    const dir = tempDir('rpc-chaos-cli-proxy-');
    const planned = async (args: string[], out: string) => {
      const run = await runCli(['baseline', '--broker', 'url', '--out', join(dir, out), ...args]);
      expect(run.code, run.stderr).toBe(2);
      return { proxy: JSON.parse(readFileSync(join(dir, out, 'result.json'), 'utf8')).environment.proxy, run };
    };
    const bare = await planned([], 'auto');
    expect(bare.proxy).toEqual({ kind: 'none', version: '', reason: 'no network fault scheduled' });
    expect(bare.run.stderr).toContain('no proxy: no network fault scheduled');
    const forced = await planned(['--proxy', 'always'], 'always');
    expect(forced.proxy).toEqual({ kind: 'builtin', version: 'not started', reason: '--proxy always' });
    expect(forced.run.stderr).toContain('starting broker (url), starting proxy (always)');
  });

  it('on Ctrl-C before the load starts writes result.json saying so and exits 130', async () => {
    const dir = tempDir('rpc-chaos-cli-early-');
    const marker = randomUUID();
    let interrupted = false;
    const run = await runCli(['baseline', '--out', dir], {
      marker,
      onStderr: (text, child) => {
        if (!interrupted && text.includes('starting broker')) {
          interrupted = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(interrupted).toBe(true);
    expect(run.code, run.stderr).toBe(130);
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    expect(result.run.interrupted).toBe(true);
    expect(result.verdict).toBe('interrupted');
    expect(result.counters.sent).toBe(0);
    expect(result.harnessErrors).toContain('interrupted before the load started: nothing was measured');
    expect(
      await pollUntil(
        () => leftovers(marker, run.pid),
        (found) => found.length === 0,
        { timeoutMs: REAP_BOUND_MS },
      ),
    ).toEqual([]);
  });

  it('exits 0 on a passing run and 1 when a gate fails, writing the run folder both times', async () => {
    const dir = tempDir('rpc-chaos-cli-');
    const baselineFile = join(dir, 'baseline.json');
    const passing = await runCli([
      'baseline',
      '--duration',
      '2s',
      '--concurrency',
      '4',
      '--out',
      join(dir, 'pass'),
      '--gate',
      'errors==0',
      '--save-baseline',
      baselineFile,
    ]);
    expect(passing.code, passing.stderr).toBe(0);
    expect(passing.stdout).toContain('baseline  PASS');
    expect(passing.stdout).toContain(`baseline written: ${baselineFile}`);
    for (const file of ['result.json', 'report.html', 'junit.xml', 'summary.md'])
      expect(existsSync(join(dir, 'pass', file)), file).toBe(true);

    const failing = await runCli([
      'baseline',
      '--duration',
      '2s',
      '--concurrency',
      '4',
      '--out',
      join(dir, 'fail'),
      '--gate',
      'p50<0.001ms',
      '--baseline',
      baselineFile,
    ]);
    expect(failing.code, failing.stderr).toBe(1);
    expect(failing.stdout).toContain('FAIL  p50<0.001ms');
    const result = JSON.parse(readFileSync(join(dir, 'fail', 'result.json'), 'utf8'));
    expect(result.verdict).toBe('fail');
    expect(result.gates.find((g: { expression: string }) => g.expression === 'p50<0.001ms').passed).toBe(false);
    expect(result.gates.some((g: { source: string }) => g.source === 'baseline')).toBe(true);
    expect(readFileSync(join(dir, 'fail', 'junit.xml'), 'utf8')).toContain('<failure message="p50 ');
  });

  it(
    'runs the client processes under SCHED_FIFO with --client-priority realtime, ' + 'and records it in result.json',
    async () => {
      const dir = tempDir('rpc-chaos-cli-');
      const run = await runCli([
        'baseline',
        '--duration',
        '2s',
        '--rate',
        '200',
        '--client-priority',
        'realtime',
        '--out',
        join(dir, 'rt'),
      ]);
      expect(run.code, run.stderr).toBe(0);
      // Printed once every client's threads were checked in /proc to be SCHED_FIFO.
      expect(run.stderr).toContain('clients under SCHED_FIFO (real-time priority 10)');
      const result = JSON.parse(readFileSync(join(dir, 'rt', 'result.json'), 'utf8'));
      expect(result.environment.clientPriority).toBe('realtime');
      expect(result.offeredLoad.unaccounted).toBe(0);
    },
  );

  it('on Ctrl-C stops the load, writes what was measured, exits 130 and leaves no process behind', async () => {
    const dir = tempDir('rpc-chaos-cli-int-');
    const marker = randomUUID();
    let interrupted = false;
    const run = await runCli(['duplicate-reply', '--duration', '60s', '--out', dir], {
      marker,
      onStderr: (text, child) => {
        if (!interrupted && /sent [1-9]\d* answered/.test(text)) {
          interrupted = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(interrupted).toBe(true);
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toContain('interrupted (SIGINT): stopping load');
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8'));
    expect(result.run.interrupted).toBe(true);
    expect(result.counters.sent).toBeGreaterThan(0);
    expect(
      await pollUntil(
        () => leftovers(marker, run.pid),
        (found) => found.length === 0,
        { timeoutMs: REAP_BOUND_MS },
      ),
    ).toEqual([]);
  });
});
