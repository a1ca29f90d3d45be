/**
 * The formatter and linter (Biome, biome.json) run as part of the test suite, so CI fails on
 * code that `npm run lint` rejects. `npm run format` rewrites what the formatter would change.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));

describe('code style', { timeout: 120_000 }, () => {
  it('passes biome ci: formatted, lint-clean, imports in order where the linter asks', () => {
    const run = spawnSync(`${REPO}node_modules/.bin/biome`, ['ci', '--reporter=summary', '--max-diagnostics=50', '.'], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 100_000,
    });
    expect(run.error).toBeUndefined();
    expect(
      run.status,
      `${run.stdout}\n${run.stderr}\nrun \`npm run format\` and \`npm run lint\` to see and fix these`,
    ).toBe(0);
  });
});
