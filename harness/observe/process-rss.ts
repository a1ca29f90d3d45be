/**
 * The resident memory of a process and everything it started, read from /proc: an external
 * client runs under `/bin/sh -c`, so its program is a child of the process the harness knows.
 */
import { readFileSync } from 'node:fs';

/** Bound on the processes summed, against a fork bomb under test. */
const MAX_PROCESSES = 64;

/** RSS in bytes of `pid` and its descendants; undefined when the process is gone or there is no /proc. */
export function processTreeRssBytes(pid: number): number | undefined {
  const root = rssBytesOf(pid);
  if (root === undefined) return undefined;
  let total = root;
  const queue = childrenOf(pid);
  for (let seen = 1; queue.length > 0 && seen < MAX_PROCESSES; seen++) {
    const child = queue.shift()!;
    total += rssBytesOf(child) ?? 0;
    queue.push(...childrenOf(child));
  }
  return total;
}

function rssBytesOf(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** Needs a kernel with CONFIG_PROC_CHILDREN (every usual distribution kernel); else none. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((entry) => entry !== '')
      .map(Number);
  } catch {
    return [];
  }
}
