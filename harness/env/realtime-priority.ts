/**
 * Real-time scheduling for the processes that generate load. On a machine shared with the
 * broker and the servers, a client's timer fires on time but the client then waits in the
 * run queue for a CPU (measured with /proc/self/task/*\/schedstat: two thirds of the start
 * lateness at 2,000 calls/s). SCHED_FIFO lets the client take a CPU as soon as it wakes, so
 * calls start when they are due; it sleeps between calls, and the kernel's real-time
 * throttling (sched_rt_runtime_us) keeps 5 % of each second for everything else if it ever
 * does not. util-linux's chrt sets it, for every thread of the process; threads started
 * later inherit it.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const CLIENT_PRIORITIES = ['normal', 'realtime'] as const;
export type ClientPriority = (typeof CLIENT_PRIORITIES)[number];

export const SCHED_FIFO = 1;

/** Low among real-time priorities: above every normal process, below the kernel's own threads. */
export const REALTIME_PRIORITY = 10;

/** Gives every thread of `pid` SCHED_FIFO at REALTIME_PRIORITY; rejects saying why it could not. */
export async function setRealtimePriority(pid: number, name: string): Promise<void> {
  try {
    await execFileAsync('chrt', ['--all-tasks', '--fifo', '--pid', String(REALTIME_PRIORITY), String(pid)], {
      timeout: 5_000,
    });
  } catch (error) {
    const failed = error as Error & { code?: string | number; stderr?: string };
    const why =
      failed.code === 'ENOENT' ? 'chrt (util-linux) is not installed' : (failed.stderr ?? failed.message).trim();
    throw new Error(
      `--client-priority realtime: cannot give ${name} (pid ${pid}) SCHED_FIFO priority ${REALTIME_PRIORITY}: ` +
        `${why}. It needs root, CAP_SYS_NICE or an RLIMIT_RTPRIO of at least ${REALTIME_PRIORITY}.`,
    );
  }
  // chrt answers for the threads it found; make sure the kernel agrees for every one.
  const policies = threadPolicies(pid);
  const normal = policies.filter((policy) => policy !== SCHED_FIFO).length;
  if (normal > 0)
    throw new Error(
      `--client-priority realtime: ${normal} of ${policies.length} threads of ${name} ` +
        `(pid ${pid}) are not under SCHED_FIFO after chrt`,
    );
}

/** The scheduling policy of each thread of `pid`, from /proc (field 41 of stat: 0 normal, 1 FIFO, 2 RR). */
export function threadPolicies(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((task) => {
    const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[41 - 3]);
  });
}
