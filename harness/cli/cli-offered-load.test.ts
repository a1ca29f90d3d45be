import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../model/result-schema.ts';
import { runScenarioCli } from '../impl/command/test/run-cli.ts';

/** The CLI from source, with a private broker and proxy of its own, without colours. */
const runCli = (args: string[]) => runScenarioCli(args, { NO_COLOR: '1' }, 170_000);

describe('npm run scenario with a rate the harness cannot offer', { timeout: 180_000 }, () => {
  it('exits 1 with offered-load-delivered failing and a warning, instead of passing silently', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rpc-chaos-rate-'));
    const run = await runCli([
      'baseline',
      '--rate',
      '50000',
      '--duration',
      '2s',
      '--no-default-gates',
      '--trace-sample',
      '0',
      '--out',
      out,
    ]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
    // baseline runs two client processes: 2 x 50000/s asked for.
    expect(run.stdout).toMatch(/WARNING: offered load not delivered: target 100000\/s, achieved \d+\/s/);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as ScenarioResult;
    const check = result.checks.find((c) => c.id === 'offered-load-delivered');
    expect(check?.passed).toBe(false);
    expect(result.offeredLoad?.droppedShare).toBeGreaterThan(0.01);
    expect(result.offeredLoad!.started + result.offeredLoad!.dropped).toBe(result.offeredLoad!.due);
    expect(result.warnings?.[0]).toContain('offered load not delivered');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('⚠️ **Warning:** offered load not delivered');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(
      '<strong>Warning:</strong> offered load not delivered',
    );
  });
});
