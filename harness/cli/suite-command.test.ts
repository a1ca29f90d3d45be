/**
 * `npm run suite` end to end: real scenarios on one private RabbitMQ node the suite starts,
 * against the negative-control client, the Python references (with their declared failures)
 * and the built-ins, and a Ctrl-C in the middle.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runSuiteCli } from '../impl/command/test/run-cli.ts';
import { SuiteResultSchema, type SuiteResult } from '../model/suite-schema.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const NAIVE_CLIENT = '/usr/bin/python3 scenarios/implementations/naive/naive-rpc-client-driver.py';
const PYTHON_REFERENCES = 'scenarios/implementations/python/suite-implementations.json';
const scratch = mkdtempSync(join(tmpdir(), 'rpc-chaos-suite-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const readSuite = (dir: string): SuiteResult =>
  SuiteResultSchema.parse(JSON.parse(readFileSync(join(dir, 'suite.json'), 'utf8')));
const statuses = (suite: SuiteResult) => suite.cells.map((cell) => `${cell.scenario}: ${cell.status}`);

describe('npm run suite', { timeout: 240_000 }, () => {
  it('refuses what it cannot run before it starts anything, saying what was wrong', async () => {
    const badFile = join(scratch, 'impls.json');
    writeFileSync(badFile, JSON.stringify([{ name: 'x', expectedFailures: [{ scenario: 'blackhol', reason: 'r' }] }]));
    const cases: Array<[string[], RegExp]> = [
      [['--scenarios', 'duplicate-replies'], /"duplicate-replies" is neither a scenario nor a tag \(did you mean/],
      [['--implementations', badFile], /"blackhol" is not a scenario \(did you mean "blackhole"\?\)/],
      [['--implementations', badFile, '--client-cmd', 'x'], /--implementations lists every column/],
      [['duplicate-reply'], /too many arguments/],
      [['--gate', 'p99<<1ms', '--scenarios', 'latency'], /^ {2}- latency: /m],
    ];
    for (const [args, message] of cases) {
      const run = await runSuiteCli([...args, '--out', join(scratch, 'never')], {}, 60_000);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
    expect(existsSync(join(scratch, 'never'))).toBe(false);
  });

  it('exits 1 for the naive client, naming the failing scenarios in index.html and junit.xml', async () => {
    const out = join(scratch, 'naive');
    const run = await runSuiteCli([
      '--scenarios',
      'duplicate-reply,late-reply',
      '--client-cmd',
      NAIVE_CLIENT,
      '--out',
      out,
    ]);
    expect(run.code, run.stderr.slice(-3000)).toBe(1);
    const suite = readSuite(out);
    expect(statuses(suite)).toEqual(['duplicate-reply: fail', 'late-reply: fail']);
    expect(suite.cells[0]?.reason).toMatch(/^check failed: /);
    // One private node served both runs.
    expect(suite.environment.brokerStarts).toBe(1);
    expect(suite.suite.exitCode).toBe(1);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit.match(/<failure /g)).toHaveLength(2);
    expect(junit).toMatch(/<testcase [^>]*name="duplicate-reply"[^>]*>\s*<failure message="check failed: /);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    for (const cell of suite.cells) {
      expect(html).toContain(`href="${cell.runDir}/report.html"`);
      expect(existsSync(join(out, cell.runDir ?? 'none', 'report.html'))).toBe(true);
      expect(existsSync(join(out, cell.runDir ?? 'none', 'result.json'))).toBe(true);
    }
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/duplicate-reply/);
    expect(run.stdout).toMatch(/FAIL duplicate-reply × naive-rpc-client-driver: check failed: /);
  });

  it('exits 0 for the Python references: what they fail, they declared, with the reason', async () => {
    const out = join(scratch, 'python');
    const run = await runSuiteCli([
      '--scenarios',
      'duplicate-reply,connection-reset,bad-input',
      '--implementations',
      PYTHON_REFERENCES,
      '--out',
      out,
    ]);
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const suite = readSuite(out);
    expect(statuses(suite)).toEqual([
      'duplicate-reply: pass',
      'connection-reset: expected-fail',
      'bad-input: not-applicable',
    ]);
    expect(suite.cells[1]?.expectedFailReason).toMatch(/does not reconnect/);
    expect(suite.cells[2]?.reason).toMatch(/run this scenario with the built-in client/);
  });

  it('keeps what finished on Ctrl-C: the finished cell, the interrupted one, and the reports', async () => {
    const out = join(scratch, 'interrupted');
    const child = spawn(
      'npm',
      ['run', '--silent', 'suite', '--', '--scenarios', 'crash-before-reply,blackhole', '--out', out],
      {
        cwd: repoRoot,
        env: { ...process.env, AMQP_URL: '', TOXIPROXY_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 120_000;
      while (
        !/\[\[2\/2\] blackhole × builtin\] running/.test(output) &&
        Date.now() < deadline &&
        child.exitCode === null
      )
        await new Promise((resolve) => setTimeout(resolve, 100));
      // The first cell ended (its verdict is not the point here: the machine may be loaded).
      expect(output).toMatch(/\[1\/2\] crash-before-reply × builtin: (PASS|FAIL) /);
      // Ctrl-C in a terminal signals the whole foreground group.
      process.kill(-(child.pid ?? 0), 'SIGINT');
      expect(await closed).toBe(130);
    } finally {
      if (child.exitCode === null) process.kill(-(child.pid ?? 0), 'SIGKILL');
    }
    const suite = readSuite(out);
    expect(statuses(suite)[1]).toBe('blackhole: interrupted');
    expect(['pass', 'fail']).toContain(suite.cells[0]?.status);
    expect(suite.suite).toMatchObject({ interrupted: true, exitCode: 130 });
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(existsSync(join(out, 'builtin', 'blackhole', 'result.json'))).toBe(true);
  });
});
