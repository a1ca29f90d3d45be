import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from './report/result-schema.ts';

const CLI = new URL('./cli.ts', import.meta.url).pathname;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { ...process.env, AMQP_URL: '', TOXIPROXY_URL: '', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run scenario with a rate the harness cannot offer', { timeout: 180_000 }, () => {
  it('exits 1 with offered-load-delivered failing and a warning, instead of passing silently', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rpc-chaos-rate-'));
    const run = await runCli(['baseline', '--rate', '50000', '--duration', '2s', '--no-default-gates', '--trace-sample', '0', '--out', out]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(1);
    expect(run.stdout).toMatch(/WARNING: offered load not delivered: target 50000\/s, achieved \d+\/s/);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as ScenarioResult;
    const check = result.checks.find((c) => c.id === 'offered-load-delivered');
    expect(check?.passed).toBe(false);
    expect(result.offeredLoad?.droppedShare).toBeGreaterThan(0.01);
    expect(result.offeredLoad!.started + result.offeredLoad!.dropped).toBe(result.offeredLoad!.due);
    expect(result.warnings?.[0]).toContain('offered load not delivered');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('⚠️ **Warning:** offered load not delivered');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<strong>Warning:</strong> offered load not delivered');
  });
});
