/**
 * The compiled harness is never run stale: a copy of the repository (sources, package.json,
 * node_modules linked) is built, a source is changed, and then a bundle started directly
 * refuses to run while the launcher rebuilds first. A copy, so that other processes running
 * the real dist/ meanwhile are not disturbed.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './programs.ts';

const execFileAsync = promisify(execFile);
let root: string;

/** Runs node in the copy; resolves with exit code and output instead of throwing. */
async function node(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, args, {
      cwd: root,
      timeout: 120_000,
      env: { ...process.env, RPC_CHAOS_BUILD_CHECKED: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** A later modification time than the build recorded, as an editor's save gives. */
function touch(relative: string): void {
  const later = new Date(Date.now() + 5_000);
  utimesSync(join(root, relative), later, later);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rpc-chaos-build-'));
  for (const entry of ['harness', 'scenarios', 'package.json'])
    cpSync(join(REPO_ROOT, entry), join(root, entry), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the compiled harness in dist/', { timeout: 240_000 }, () => {
  it('is built by build.mjs and runs; a bundle started directly refuses to run once a source changed', async () => {
    const built = await node(['harness/build/build.mjs']);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/^build: \d+ programs from \d+ sources into dist\//);
    const fresh = await node(['dist/cli.js', 'list']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain('duplicate-reply');

    touch('harness/rpc/fib.ts');
    const stale = await node(['dist/cli.js', 'list']);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain(
      'is out of date (harness/rpc/fib.ts changed since the last build): run "npm run build"',
    );
    expect(stale.stdout).toBe('');
  });

  it('is rebuilt by the launcher the npm scripts use, which says why, before the program runs', async () => {
    // Stale since the test before: fib.ts changed.
    const launched = await node(['harness/build/launch.mjs', 'cli', 'list']);
    expect(launched.code, launched.stderr).toBe(0);
    expect(launched.stderr).toContain('(rebuilt dist/: harness/rpc/fib.ts changed since the last build)');
    expect(launched.stdout).toContain('duplicate-reply');
    const again = await node(['dist/cli.js', 'list']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('is not run when it cannot be rebuilt: the launcher names the source error and exits 2', async () => {
    writeFileSync(join(root, 'harness/rpc/fib.ts'), 'export function fib(n: number): bigint { return ; ) }\n');
    const launched = await node(['harness/build/launch.mjs', 'cli', 'list']);
    expect(launched.code).toBe(2);
    expect(launched.stderr).toContain('the harness could not be compiled');
    expect(launched.stderr).toContain('harness/rpc/fib.ts:1:');
    expect(launched.stdout).toBe('');
  });

  it('names the programs it knows when asked for another', async () => {
    const launched = await node(['harness/build/launch.mjs', 'no-such-program']);
    expect(launched.code).toBe(2);
    expect(launched.stderr).toContain('programs: cli, worker, rpc-server');
  });

  it('builds every entry a compiled bundle starts by file name (worker threads, child programs)', () => {
    const programs = JSON.parse(readFileSync(join(REPO_ROOT, 'harness/build/programs.json'), 'utf8')) as Record<
      string,
      string
    >;
    const sources = readdirSync(join(REPO_ROOT, 'harness'), { recursive: true, encoding: 'utf8' }).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
    );
    const started = new Set<string>();
    for (const file of sources) {
      // `compiled ? './proxy-thread.js' : './proxy-thread.ts'`: the bundle next to the running one.
      for (const match of readFileSync(join(REPO_ROOT, 'harness', file), 'utf8').matchAll(
        /\? '\.\/([\w-]+)\.js' : '\.\/[\w-]+\.ts'/g,
      ))
        started.add(match[1]!);
    }
    expect(started.size).toBeGreaterThan(0);
    for (const name of started)
      expect(Object.keys(programs), `${name}.js is started compiled but not built`).toContain(name);
  });
});
