import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WORKER_V8_FLAGS } from './worker-v8-flags.ts';

const newSpaceMb = (flags: readonly string[]) => {
  // Churn enough short-lived objects that V8 would resize the young generation if it could.
  const script = "let a = []; for (let i = 0; i < 2e6; i++) { a.push({ i }); if (a.length > 1000) a = []; } console.log(require('v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20)";
  const run = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return Number(run.stdout.trim());
};

describe('worker V8 flags', { timeout: 30_000 }, () => {
  it('are accepted by this Node and pin the young generation at its loaded size (2 x 16 MB)', () => {
    expect(newSpaceMb(WORKER_V8_FLAGS)).toBe(32);
    // Without them the same churn leaves it small: V8 sizes it by itself, and RSS breathes with it.
    expect(newSpaceMb([])).toBeLessThan(32);
  });
});
