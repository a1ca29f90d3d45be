import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLIENT_V8_FLAGS, WORKER_V8_FLAGS, workerV8Flags } from './worker-v8-flags.ts';

const runNode = (flags: readonly string[], script: string) => {
  const run = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.trim();
};

const newSpaceMb = (flags: readonly string[]) => {
  // Churn enough short-lived objects that V8 would resize the young generation if it could.
  const script =
    'let a = []; for (let i = 0; i < 2e6; i++) { a.push({ i }); if (a.length > 1000) a = []; } ' +
    "console.log(require('v8').getHeapSpaceStatistics()" +
    ".find((s) => s.space_name === 'new_space').space_size / 2 ** 20)";
  return Number(runNode(flags, script));
};

describe('worker V8 flags', { timeout: 30_000 }, () => {
  it('are accepted by this Node and pin the young generation at its loaded size (2 x 16 MB)', () => {
    expect(newSpaceMb(WORKER_V8_FLAGS)).toBe(32);
    // Without them the same churn leaves it small: V8 sizes it by itself, and RSS breathes with it.
    expect(newSpaceMb([])).toBeLessThan(32);
  });

  it('give a client the common flags plus its own, and a server only the common ones', () => {
    expect(workerV8Flags('client')).toEqual([...WORKER_V8_FLAGS, ...CLIENT_V8_FLAGS]);
    expect(workerV8Flags('server')).toEqual(WORKER_V8_FLAGS);
    expect(workerV8Flags()).toEqual(WORKER_V8_FLAGS);
  });

  it('let a client collect its start-up objects out of the young generation before the run', () => {
    // Live objects in the young generation, as after start-up; gc() must leave none there.
    const script = [
      "import { getHeapSpaceStatistics } from 'node:v8';",
      `const { settleHeap } = await import(${JSON.stringify(new URL('./settle-heap.ts', import.meta.url).href)});`,
      "const youngUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_used_size;",
      'const kept = Array.from({ length: 100_000 }, (_, i) => ({ i }));',
      'const before = youngUsed();',
      'const settled = settleHeap();',
      'console.log(JSON.stringify({ before, after: youngUsed(), settled, kept: kept.length }));',
    ].join('\n');
    const result = JSON.parse(
      runNode([...workerV8Flags('client'), '--import', 'tsx', '--input-type=module'], script),
    ) as { before: number; after: number; settled: boolean };
    expect(result.settled).toBe(true);
    expect(result.before).toBeGreaterThan(2 ** 20);
    expect(result.after).toBeLessThan(64 * 1024);
  });
});
