import { ensureFreshBuild } from './build.mjs';

/**
 * Builds dist/ once before any test file runs: test files that spawn the compiled CLI or
 * workers in parallel would otherwise each find a stale bundle and rebuild it at once.
 */
export default function setup(): void {
  const rebuiltBecause = ensureFreshBuild();
  if (rebuiltBecause !== undefined) console.log(`(rebuilt dist/ before the tests: ${rebuiltBecause})`);
}
