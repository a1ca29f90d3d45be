/**
 * The suite image, built from this checkout and run for real. Starts a Docker engine when none
 * answers (docker/start-dockerd.sh, as root; stopped again after the file if started here),
 * builds rpc-chaos/suite:test with docker/build-suite-image.sh (the debootstrapped base
 * rpc-chaos/suite-base:local is reused when present; the image itself is always rebuilt, as its
 * tarball changes with the code, and removed at the end), then runs it with host networking on
 * a mounted temporary folder. RPC_CHAOS_SUITE_IMAGE=<tag> tests an image built already instead.
 * Where the engine or the build cannot run, the file fails with the reason; it never skips.
 * vitest.config.ts runs it alone, after every other file: the build is minutes of full CPU.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerContainerRemoval, removeContainerSync } from './container-cleanup.ts';
import { ensureDockerd, runDockerScript, stopDockerd } from './docker-test-engine.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GIVEN_IMAGE = process.env.RPC_CHAOS_SUITE_IMAGE;
const IMAGE = GIVEN_IMAGE ?? 'rpc-chaos/suite:test';
const PYTHON = join(ROOT, 'scenarios/implementations/python');
/** Where the image's global install keeps the drivers the package ships. */
const NAIVE_DRIVER_IN_IMAGE =
  '/usr/local/lib/node_modules/rpc-chaos/scenarios/implementations/naive/naive-rpc-client-driver.py';
/** The mounted folder's owner when these tests run as root: what the run writes must end up theirs. */
const HOST_USER = 1000;
/**
 * Measured on 2 cores: the base about 2.5 minutes (debootstrap, once), the image about 5 more
 * (npm ci and npm pack in a copy of the checkout, the global install, a ~300 MB build context).
 */
const BUILD_TIMEOUT_MS = 15 * 60_000;

let dockerdStartedHere: number | undefined;
let imageBuiltHere = false;
let mounted = '';
let runs = 0;

/**
 * `docker run --rm --network host -v <dir>:/work -w /work <image> ...args`, bounded. The container
 * is named and registered before it starts, so a timeout or a crash of this process removes it.
 */
async function runImage(dir: string, args: string[], timeoutMs: number) {
  const name = `rpc-chaos-suite-image-test-${process.pid}-${runs++}`;
  const unregister = registerContainerRemoval(name, async () => removeContainerSync(name));
  const started = Date.now();
  try {
    const child = spawn(
      'docker',
      ['run', '--rm', '--name', name, '--network', 'host', '-v', `${dir}:/work`, '-w', '/work', IMAGE, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    // Killing the docker CLI would leave the container running: remove the container instead.
    const timer = setTimeout(() => removeContainerSync(name), timeoutMs);
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
    clearTimeout(timer);
    const ms = Date.now() - started;
    console.info(`docker run ${args[0]} ${args[1] ?? ''}: exit ${status} after ${(ms / 1000).toFixed(1)} s`);
    if (ms >= timeoutMs) throw new Error(`docker run ${args.join(' ')} did not finish within ${timeoutMs / 1000} s`);
    return { status, output };
  } finally {
    removeContainerSync(name);
    unregister();
  }
}

/** Every path under `dir` whose owner is not `uid`. */
function notOwnedBy(dir: string, uid: number): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((path) => join(dir, path))
    .filter((path) => lstatSync(path).uid !== uid);
}

beforeAll(async () => {
  const engine = await ensureDockerd(ROOT);
  dockerdStartedHere = engine.startedPid;
  if (GIVEN_IMAGE === undefined) {
    // Flag first: a build that fails half-way may still have tagged nothing, and rmi of a missing tag is harmless.
    imageBuiltHere = true;
    const build = await runDockerScript(ROOT, 'build-suite-image.sh', ['--tag', IMAGE], {
      timeoutMs: BUILD_TIMEOUT_MS,
      guarded: true,
    });
    const base = /build-rabbitmq-image: (built .*|.* exists)/.exec(build.output)?.[1] ?? '(base: no line)';
    console.info(`suite image ${IMAGE} built in ${(build.ms / 1000).toFixed(0)} s (base: ${base})`);
  }
  const inspect = spawnSync('docker', ['image', 'inspect', IMAGE], { encoding: 'utf8', timeout: 20_000 });
  if (inspect.status !== 0) {
    throw new Error(
      `image ${IMAGE} is not there (${inspect.stderr.trim() || inspect.error?.message}): ` +
        'unset RPC_CHAOS_SUITE_IMAGE to build one, or build it: bash docker/build-suite-image.sh',
    );
  }
  mounted = mkdtempSync(join(tmpdir(), 'rpc-chaos-suite-image-'));
  for (const file of readdirSync(PYTHON)) cpSync(join(PYTHON, file), join(mounted, file));
  if (process.getuid?.() === 0) {
    for (const path of [mounted, ...readdirSync(mounted).map((file) => join(mounted, file))]) {
      chownSync(path, HOST_USER, HOST_USER);
    }
  }
}, BUILD_TIMEOUT_MS + 120_000);

afterAll(async () => {
  if (mounted) rmSync(mounted, { recursive: true, force: true });
  if (imageBuiltHere) {
    // Rebuilt by every run: kept, each would leave a ~480 MB untagged image behind. The base stays.
    spawnSync('docker', ['image', 'rm', '--force', IMAGE], { stdio: 'ignore', timeout: 60_000 });
  }
  if (dockerdStartedHere !== undefined) await stopDockerd(dockerdStartedHere);
}, 120_000);

describe(`the suite image ${IMAGE}`, { timeout: 180_000 }, () => {
  it('lists the catalogue', async () => {
    const { status, output } = await runImage(mounted, ['list'], 60_000);
    expect(status, output).toBe(0);
    expect(output).toMatch(/^ {2}duplicate-reply +/m);
  });

  it('runs a scenario against the Python references in the mounted folder, leaving the run folder there', async () => {
    const { status, output } = await runImage(
      mounted,
      [
        'run',
        'duplicate-reply',
        '--server-cmd',
        'python3 rpc_server.py',
        '--client-cmd',
        'python3 rpc_client_driver.py',
        '--out',
        'runs/duplicate-reply',
      ],
      150_000,
    );
    expect(status, output).toBe(0);
    const result = JSON.parse(readFileSync(join(mounted, 'runs/duplicate-reply/result.json'), 'utf8')) as {
      verdict: string;
    };
    expect(result.verdict).toBe('pass');
    if (process.getuid?.() === 0) expect(notOwnedBy(join(mounted, 'runs'), HOST_USER)).toEqual([]);
  });

  it('runs the suite with its own naive client: exit 1, and the suite folder names the failure', async () => {
    const { status, output } = await runImage(
      mounted,
      [
        'suite',
        '--scenarios',
        'duplicate-reply',
        '--client-cmd',
        `/usr/bin/python3 ${NAIVE_DRIVER_IN_IMAGE}`,
        '--out',
        'suite',
      ],
      150_000,
    );
    expect(status, output).toBe(1);
    const suite = join(mounted, 'suite');
    for (const file of ['suite.json', 'index.html', 'junit.xml', 'summary.md']) {
      expect(existsSync(join(suite, file)), file).toBe(true);
    }
    const result = JSON.parse(readFileSync(join(suite, 'suite.json'), 'utf8')) as {
      cells: { scenario: string; status: string }[];
    };
    expect(result.cells.map(({ scenario, status }) => ({ scenario, status }))).toEqual([
      { scenario: 'duplicate-reply', status: 'fail' },
    ]);
    expect(readFileSync(join(suite, 'junit.xml'), 'utf8')).toMatch(
      /<testcase [^>]*name="duplicate-reply"[^>]*>\s*<failure /,
    );
    expect(readFileSync(join(suite, 'index.html'), 'utf8')).toContain('duplicate-reply');
    if (process.getuid?.() === 0) expect(notOwnedBy(suite, HOST_USER)).toEqual([]);
  });
});
