import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { compareWithBaseline, extractBaselineMetrics, loadBaseline } from '../gate/baseline.ts';
import { formatMetricValue } from '../gate/format-gates.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { runScenarioCli } from '../impl/command/test/run-cli.ts';

const COMMITTED_BASELINE = fileURLToPath(new URL('../../.github/rpc-chaos-baseline.json', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'rpc-chaos-repeat-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const readResult = (dir: string) => JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ScenarioResult;

/**
 * `--repeat`, as the CI baseline step runs it: N runs into run-1..run-N, every one compared
 * with the baseline by the medians of all of them, and their own baseline saved.
 */
describe('npm run scenario -- baseline --repeat 2', { timeout: 240_000 }, () => {
  it(
    'writes a run folder per run, compares the medians of both with a baseline, ' + 'and saves a baseline of both',
    async () => {
      const out = join(scratch, 'repeat');
      const saved = join(scratch, 'saved-baseline.json');
      // Each run starts its own private broker (the default). The committed baseline was made on
      // another machine: a tolerance of 1000 % leaves only the plumbing to judge here.
      const run = await runScenarioCli(
        [
          'baseline',
          '--duration',
          '1s',
          '--repeat',
          '2',
          '--out',
          out,
          '--baseline',
          COMMITTED_BASELINE,
          '--tolerance',
          '1000%',
          '--save-baseline',
          saved,
        ],
        { NO_COLOR: '1' },
        220_000,
      );
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);

      expect(
        readdirSync(out)
          .filter((name) => name.startsWith('run-'))
          .sort(),
      ).toEqual(['run-1', 'run-2']);
      expect(existsSync(join(out, 'result.json'))).toBe(false);
      const results = ['run-1', 'run-2'].map((dir) => {
        for (const file of ['result.json', 'report.html', 'summary.md', 'junit.xml'])
          expect(existsSync(join(out, dir, file)), `${dir}/${file}`).toBe(true);
        return readResult(join(out, dir));
      });
      expect(new Set(results.map((result) => result.run.id)).size).toBe(2);
      // Another seed per repeat: the runs ask different sequences of n.
      expect(results[1]!.run.seed - results[0]!.run.seed).toBe(1000);
      for (const result of results) expect(result.counters.answered).toBeGreaterThan(0);

      // Both runs carry the same comparison, made from the medians of the two.
      const baselineGates = results.map((result) => result.gates.filter((gate) => gate.source === 'baseline'));
      expect(baselineGates[0]!.map((gate) => gate.expression)).toEqual(
        expect.arrayContaining([
          'p50 vs baseline ±1000%',
          'p99 vs baseline ±1000%',
          'throughput vs baseline ±1000%',
          'wrong_results vs baseline ±1000%',
        ]),
      );
      expect(baselineGates[1]).toEqual(baselineGates[0]);
      const p99 = baselineGates[0]!.find((gate) => gate.expression === 'p99 vs baseline ±1000%')!;
      const p99s = results.map((result) => extractBaselineMetrics(result).metrics.p99!.values[0]!);
      expect(p99.actual).toBeCloseTo((p99s[0]! + p99s[1]!) / 2, 6);
      expect(p99.detail).toContain('; median of 2 runs');
      expect(baselineGates[0]!.every((gate) => gate.passed)).toBe(true);
      // Printed once per run summary, then the note about the saved baseline.
      expect(run.stdout.split('PASS  p99 vs baseline ±1000%').length - 1).toBe(2);
      const committedP99 = formatMetricValue(loadBaseline(COMMITTED_BASELINE, 'baseline').metrics.p99!.median, 'ms');
      expect(run.stdout).toMatch(
        new RegExp(
          `p99 [\\d.]+ ms vs baseline ${committedP99.replace('.', '\\.')} ` +
            `\\([\\d.]+% (better|worse)\\): [^\\n]*median of 2 runs`,
        ),
      );
      expect(run.stdout).toContain(`baseline written: ${saved} (2 runs)`);
      expect(run.stdout).toContain(`run folder: ${out}`);

      // The saved baseline holds both runs, and compared with the runs it came from, nothing moved.
      const baseline = loadBaseline(saved, 'baseline');
      expect(baseline.runIds).toEqual(results.map((result) => result.run.id));
      expect(baseline.metrics.p99!.values).toEqual(p99s);
      expect(baseline.metrics.p99!.median).toBeCloseTo((p99s[0]! + p99s[1]!) / 2, 9);
      expect(baseline.environment.workload).toBe('closed-loop concurrency 16 for 1s, 2 servers, 2 clients');
      const again = compareWithBaseline(results, baseline, { tolerancePct: 0 });
      expect(again.length).toBeGreaterThan(0);
      for (const gate of again) expect(gate, gate.detail).toMatchObject({ passed: true });
      expect(again.find((gate) => gate.expression === 'p99 vs baseline ±0%')!.detail).toContain('(unchanged)');
    },
  );
});
