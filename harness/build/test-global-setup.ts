import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFreshBuild } from './build.mjs';

/**
 * Builds dist/ once before any test file runs: test files that spawn the compiled CLI or
 * workers in parallel would otherwise each find a stale bundle and rebuild it at once.
 *
 * Gives the test run a temporary folder of its own (TMPDIR, which os.tmpdir() and every
 * child process read), removed when the run ends: run folders, private brokers' data and
 * spans files of every test go there, also those of a test that failed half-way. World-
 * writable with the sticky bit, as /tmp is: private brokers run as the rabbitmq user.
 */
export default function setup(): () => void {
  const rebuiltBecause = ensureFreshBuild();
  if (rebuiltBecause !== undefined) console.log(`(rebuilt dist/ before the tests: ${rebuiltBecause})`);
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'rpc-chaos-tests-'));
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
