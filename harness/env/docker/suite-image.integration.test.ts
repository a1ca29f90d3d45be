/**
 * A built suite image, for real: runs only when RPC_CHAOS_SUITE_IMAGE names one, because building
 * it takes minutes (bash docker/build-suite-image.sh: 1.5 to 2.5 minutes for the debootstrapped
 * base, once, then 3 to 5 for the image), and the default test run must not wait for that:
 *
 *   bash docker/start-dockerd.sh && bash docker/build-suite-image.sh
 *   RPC_CHAOS_SUITE_IMAGE=rpc-chaos/suite:local npx vitest run harness/env/docker/suite-image.integration.test.ts
 *
 * With the variable set, a missing engine or image fails the file with what to do; it never skips.
 */
import { spawnSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const IMAGE = process.env.RPC_CHAOS_SUITE_IMAGE;
const PYTHON = join(ROOT, 'scenarios/implementations/python');
/** The mounted folder's owner when these tests run as root: what the run writes must end up theirs. */
const HOST_USER = 1000;

const containers: string[] = [];

/** `docker run --rm --network host -v <dir>:/work -w /work <image> ...args`, bounded; the container is named for cleanup. */
function runImage(dir: string, args: string[], timeoutMs = 150_000) {
  const name = `rpc-chaos-suite-image-test-${process.pid}-${containers.length}`;
  containers.push(name);
  const result = spawnSync(
    'docker',
    ['run', '--rm', '--name', name, '--network', 'host', '-v', `${dir}:/work`, '-w', '/work', IMAGE ?? '', ...args],
    { encoding: 'utf8', timeout: timeoutMs },
  );
  if (result.error) throw new Error(`docker run ${args.join(' ')} did not finish: ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe.runIf(IMAGE !== undefined)(`the built suite image ${IMAGE}`, { timeout: 180_000 }, () => {
  let mounted = '';

  beforeAll(() => {
    const inspect = spawnSync('docker', ['image', 'inspect', IMAGE ?? ''], { encoding: 'utf8', timeout: 20_000 });
    if (inspect.status !== 0) {
      throw new Error(
        `image ${IMAGE} is not there (${inspect.stderr.trim() || inspect.error?.message}): ` +
          'start an engine (bash docker/start-dockerd.sh) and build it (bash docker/build-suite-image.sh)',
      );
    }
    mounted = mkdtempSync(join(tmpdir(), 'rpc-chaos-suite-image-'));
    for (const file of readdirSync(PYTHON)) cpSync(join(PYTHON, file), join(mounted, file));
    if (process.getuid?.() === 0) {
      for (const path of [mounted, ...readdirSync(mounted).map((file) => join(mounted, file))]) {
        chownSync(path, HOST_USER, HOST_USER);
      }
    }
  });

  afterAll(() => {
    // A docker run cut off by its timeout leaves its container running: remove each by name.
    for (const name of containers) spawnSync('docker', ['rm', '--force', name], { timeout: 30_000 });
    if (mounted) rmSync(mounted, { recursive: true, force: true });
  });

  it('lists the catalogue', () => {
    const { status, output } = runImage(mounted, ['list'], 60_000);
    expect(status, output).toBe(0);
    expect(output).toMatch(/duplicate-reply/);
  });

  it('runs a scenario against the Python references in the mounted folder and leaves the run folder there', () => {
    const { status, output } = runImage(mounted, [
      'run',
      'duplicate-reply',
      '--server-cmd',
      'python3 rpc_server.py',
      '--client-cmd',
      'python3 rpc_client_driver.py',
      '--out',
      'runs/duplicate-reply',
    ]);
    expect(status, output).toBe(0);
    const result = JSON.parse(readFileSync(join(mounted, 'runs/duplicate-reply/result.json'), 'utf8')) as {
      verdict: string;
    };
    expect(result.verdict).toBe('pass');
    if (process.getuid?.() === 0)
      expect(statSync(join(mounted, 'runs/duplicate-reply/result.json')).uid).toBe(HOST_USER);
  });

  it('runs the suite against the Python references and writes the suite folder into the mounted folder', () => {
    const { status, output } = runImage(mounted, [
      'suite',
      '--scenarios',
      'duplicate-reply',
      '--server-cmd',
      'python3 rpc_server.py',
      '--client-cmd',
      'python3 rpc_client_driver.py',
      '--out',
      'suite',
    ]);
    expect(status, output).toBe(0);
    for (const file of ['suite.json', 'index.html', 'junit.xml', 'summary.md']) {
      expect(existsSync(join(mounted, 'suite', file)), file).toBe(true);
    }
  });
});
