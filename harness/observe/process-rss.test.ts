import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { processTreeRssBytes } from './process-rss.ts';

const ownRss = (pid: number) =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

describe('the RSS of a process tree', () => {
  it('adds the program a shell started to the shell itself, as an external command runs', async () => {
    // Two commands, so that dash forks the program instead of replacing itself with it.
    const shell = spawn('/bin/sh', ['-c', `"${process.execPath}" -e "setTimeout(() => {}, 20000)"; true`], {
      stdio: 'ignore',
    });
    try {
      let tree: number | undefined;
      for (let attempt = 0; attempt < 100 && !((tree ?? 0) > ownRss(shell.pid!) + 10 * 2 ** 20); attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        tree = processTreeRssBytes(shell.pid!);
      }
      // A Node child holds tens of MB; the shell alone a few hundred kB.
      expect(tree! - ownRss(shell.pid!)).toBeGreaterThan(10 * 2 ** 20);
    } finally {
      const children = readFileSync(`/proc/${shell.pid}/task/${shell.pid}/children`, 'utf8').trim().split(/\s+/);
      for (const child of children.filter((pid) => pid !== '')) process.kill(Number(child), 'SIGKILL');
      shell.kill();
    }
  });

  it('says nothing of a process that is gone', () => {
    expect(processTreeRssBytes(2 ** 22 + 7)).toBeUndefined();
  });
});
