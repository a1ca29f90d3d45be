import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../model/result-schema.ts';
import { runScenarioCli } from '../impl/command/test/run-cli.ts';

/** The CLI from source, with a private broker and proxy of its own, without colours. */
const runCli = (args: string[]) => runScenarioCli(args, { NO_COLOR: '1' }, 170_000);

describe('npm run scenario with phase gates', { timeout: 180_000 }, () => {
  it('refuses a phase gate naming a fault the scenario does not schedule, before starting anything', async () => {
    const run = await runCli(['partition', '--gate', 'during(kill).p99<1s']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'gate "during(kill).p99<1s": no fault of this scenario matches "kill"; ' +
        'its faults: fault-1 disable-proxy (servers proxy down for 2000 ms)',
    );
  });

  it('judges the partition window and the time after it, in every output', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rpc-chaos-phase-'));
    // The servers' proxy is down from 1.5 s to 3.5 s with a 1 s call timeout: calls started in
    // it time out, and calls started after it are answered once the servers reconnect.
    const passing = ['during(partition).error_rate>=10%', 'after(partition).answered>=1', 'after(partition).p99<10s'];
    const failing = 'during(partition).error_rate<1%';
    const run = await runCli([
      'partition',
      '--out',
      out,
      '--trace-sample',
      '0',
      ...[...passing, failing].flatMap((gate) => ['--gate', gate]),
    ]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as ScenarioResult;
    // Every call that ended is in exactly one quarter second of intended start.
    const total = (key: 'answered' | 'timedOut') =>
      result.callsByStart!.intervals.reduce((sum, interval) => sum + interval[key], 0);
    expect(result.callsByStart!.intervalMs).toBe(250);
    expect(total('answered')).toBe(result.counters.answered);
    expect(total('timedOut')).toBe(result.counters.timedOut);
    const byExpression = new Map(result.gates.map((gate) => [gate.expression, gate]));
    for (const expression of passing)
      expect(byExpression.get(expression), `${expression}: ${byExpression.get(expression)?.detail}`).toMatchObject({
        passed: true,
      });
    const failed = byExpression.get(failing)!;
    expect(failed).toMatchObject({
      passed: false,
      phase: { kind: 'during', fault: 'partition', windows: [{ faultId: 'fault-1' }] },
    });
    // Scheduled 1.0-3.0 s; boundaries rounded to quarter seconds, and timers fire a little late.
    const window = failed.phase!.windows[0]!;
    expect([1000, 1250]).toContain(window.fromMs);
    expect([3000, 3250]).toContain(window.toMs);
    expect(failed.actual).toBeGreaterThanOrEqual(10);
    expect(run.stdout).toContain(`FAIL  ${failing}`);
    expect(run.stdout).toContain('PASS  after(partition).p99<10s');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain(
      `<testcase name="gate ${failing.replace('<', '&lt;')}"`,
    );
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('`during(partition).error_rate<1%`');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('during(partition).error_rate&lt;1%');
    expect(html).toContain('id="fault-impact"');
  });
});
