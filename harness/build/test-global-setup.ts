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
  // Every project of vitest.config.ts runs this setup: the first one makes the folder, the
  // others use it (nested, the paths grew past what a Unix socket path may hold: Chromium
  // failed to start).
  if (process.env[TESTS_TMPDIR] !== undefined) return () => undefined;
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'rpc-chaos-tests-'));
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  process.env[TESTS_TMPDIR] = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    delete process.env[TESTS_TMPDIR];
    rmSync(root, { recursive: true, force: true });
  };
}

/** Set while a test run's own temporary folder is in use. */
const TESTS_TMPDIR = 'RPC_CHAOS_TESTS_TMPDIR';
