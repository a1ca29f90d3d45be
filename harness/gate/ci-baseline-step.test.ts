import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { loadBaseline } from './baseline.ts';

const STEP = fileURLToPath(new URL('./ci-baseline-step.sh', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const WORKFLOW = join(REPO, '.github/workflows/rpc-chaos-gate.yml');
const COMMITTED_BASELINE = join(REPO, '.github/rpc-chaos-baseline.json');

const scratch = mkdtempSync(join(tmpdir(), 'rpc-chaos-ci-step-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A stand-in for npm that records its arguments and exits with the code it is told. */
function fakeNpm(): string {
  const bin = join(scratch, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'npm'),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell default, not a template
    '#!/usr/bin/env bash\nprintf "%s\\n" "$@" > "$FAKE_NPM_ARGS"\nexit "${FAKE_NPM_EXIT:-0}"\n',
  );
  chmodSync(join(bin, 'npm'), 0o755);
  return bin;
}

/** Runs the workflow's baseline step in a folder of its own with the given baseline files present. */
function runStep(files: { cached?: boolean; committed?: boolean }, npmExit = 0) {
  const dir = mkdtempSync(join(scratch, 'case-'));
  const env: NodeJS.ProcessEnv = {
    PATH: `${fakeNpm()}:${process.env.PATH}`,
    FAKE_NPM_ARGS: join(dir, 'npm-args'),
    FAKE_NPM_EXIT: String(npmExit),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
  };
  if (files.cached) {
    mkdirSync(join(dir, '.rpc-chaos-cache'));
    writeFileSync(join(dir, '.rpc-chaos-cache/baseline.json'), '{}');
  }
  if (files.committed) {
    mkdirSync(join(dir, '.github'));
    writeFileSync(join(dir, '.github/rpc-chaos-baseline.json'), '{}');
  }
  writeFileSync(env.FAKE_NPM_ARGS!, '');
  writeFileSync(env.GITHUB_STEP_SUMMARY!, '');
  const run = spawnSync('bash', [STEP], { cwd: dir, env, encoding: 'utf8', timeout: 20_000 });
  return {
    code: run.status,
    stdout: run.stdout,
    npmArgs: readFileSync(env.FAKE_NPM_ARGS!, 'utf8').trim().split('\n').join(' '),
    summary: readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8'),
  };
}

/** The step as the workflow runs it: from the checkout, with the real npm, against the job's broker. */
function runRealStep(
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [STEP], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the baseline step did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the CI baseline step', { timeout: 60_000 }, () => {
  it('without any baseline only saves one', () => {
    const step = runStep({});
    expect(step.code).toBe(0);
    expect(step.npmArgs).toBe(
      'run scenario -- baseline --broker url --out reports/baseline ' +
        '--repeat 3 --save-baseline reports/rpc-chaos-baseline.json',
    );
    expect(step.summary).toContain('no baseline yet');
  });

  it('compares with the committed baseline, with a tolerance wide enough for another machine', () => {
    const step = runStep({ committed: true });
    expect(step.npmArgs).toContain(
      '--save-baseline reports/rpc-chaos-baseline.json --baseline .github/rpc-chaos-baseline.json --tolerance 100%',
    );
    expect(step.stdout).toContain('compared with the committed baseline');
  });

  it('prefers the baseline cached on the same runner type, with a tight tolerance', () => {
    const step = runStep({ cached: true, committed: true });
    expect(step.npmArgs).toContain('--baseline .rpc-chaos-cache/baseline.json --tolerance 25%');
    expect(step.npmArgs).not.toContain('.github/rpc-chaos-baseline.json');
    expect(step.summary).toContain('cached by an earlier run on this runner type');
  });

  it('fails the step when the scenario fails, with its exit code', () => {
    expect(runStep({ committed: true }, 1).code).toBe(1);
    expect(runStep({}, 2).code).toBe(2);
  });

  it('runs the real scenario through the real npm: ' +
    'two runs compared with the committed baseline by their medians, and their baseline saved', {
    timeout: 180_000,
  }, async () => {
    // The workflow's service container is an external broker at AMQP_URL; here a private node stands in.
    await using broker = await new PrivateRabbitNode().start();
    const dir = mkdtempSync(join(scratch, 'real-'));
    const out = join(dir, 'reports/baseline');
    const newBaseline = join(dir, 'reports/rpc-chaos-baseline.json');
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '');
    const step = await runRealStep(
      {
        ...process.env,
        AMQP_URL: broker.getAmqpUrl(),
        TOXIPROXY_URL: '',
        RPC_CHAOS_REPEAT: '2',
        RPC_CHAOS_OUT: out,
        RPC_CHAOS_NEW_BASELINE: newBaseline,
        // None cached yet, as on a runner type's first run: the committed baseline (the default
        // path, from the checkout) is used. Made on another machine; only the plumbing is judged.
        RPC_CHAOS_CACHED_BASELINE: join(dir, '.rpc-chaos-cache/baseline.json'),
        RPC_CHAOS_OTHER_MACHINE_TOLERANCE: '1000%',
        GITHUB_STEP_SUMMARY: summary,
      },
      170_000,
    );
    expect(step.code, `${step.stdout}\n${step.stderr}`).toBe(0);
    expect(step.stdout).toContain(
      'rpc-chaos baseline: compared with the committed baseline .github/rpc-chaos-baseline.json ' +
        '(made on another machine), tolerance 1000%',
    );
    expect(step.stdout).toContain(
      `+ npm run scenario -- baseline --broker url --out ${out} --repeat 2 --save-baseline ` +
        `${newBaseline} --baseline .github/rpc-chaos-baseline.json --tolerance 1000%`,
    );
    expect(readFileSync(summary, 'utf8')).toContain('**baseline**: compared with the committed baseline');

    expect(readdirSync(out).sort()).toEqual(['run-1', 'run-2']);
    const results = ['run-1', 'run-2'].map(
      (run) => JSON.parse(readFileSync(join(out, run, 'result.json'), 'utf8')) as ScenarioResult,
    );
    for (const result of results) {
      expect(result.environment.broker).toMatchObject({ kind: 'url' });
      const p99 = result.gates.find((gate) => gate.expression === 'p99 vs baseline ±1000%');
      expect(p99?.detail).toContain('; median of 2 runs');
      expect(result.verdict).toBe('pass');
    }
    const saved = loadBaseline(newBaseline, 'baseline');
    expect(saved.runIds).toEqual(results.map((result) => result.run.id));
    expect(saved.environment.workload).toBe('closed-loop concurrency 16 for 5s, 2 servers, 2 clients');
  });

  it('the committed baseline is a valid baseline of the baseline scenario', () => {
    const baseline = loadBaseline(COMMITTED_BASELINE, 'baseline');
    expect(baseline.runIds.length).toBeGreaterThanOrEqual(3);
    expect(baseline.metrics.p99?.median).toBeGreaterThan(0);
  });

  it('the workflow runs this step, restores the cache by runner type and saves it only from main', () => {
    const workflow = readFileSync(WORKFLOW, 'utf8');
    expect(workflow).toContain('run: bash harness/gate/ci-baseline-step.sh');
    expect(workflow).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow's own expression, checked as text
      'restore-keys: rpc-chaos-baseline-${{ runner.os }}-${{ runner.arch }}-node${{ matrix.node }}-',
    );
    expect(workflow).toMatch(
      new RegExp(
        String.raw`actions\/cache\/save@v4\n` +
          String.raw`\s+if: success\(\) && github\.event_name == 'push' && github\.ref == 'refs\/heads\/main'`,
      ),
    );
  });
});
