import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHED_FIFO, setRealtimePriority, threadPolicies } from './realtime-priority.ts';

describe('setRealtimePriority', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('puts every thread of a running Node process under SCHED_FIFO, and a thread it starts later too', async () => {
    // The child starts a worker thread only when told to (after the priority is set).
    const child = spawn(
      process.execPath,
      [
        '-e',
        `
      const { Worker } = require('node:worker_threads');
      process.stdin.once('data', () => { ` +
          `new Worker('setTimeout(() => {}, 20000)', { eval: true }).on('online', () => console.log('thread')); });
      console.log('ready'); setTimeout(() => {}, 20000);`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    children.push(child);
    const lines = lineReader(child);
    expect(await lines()).toBe('ready');
    const before = threadPolicies(child.pid!);
    expect(before.every((policy) => policy === 0)).toBe(true);
    await setRealtimePriority(child.pid!, 'client-1');
    const after = threadPolicies(child.pid!);
    expect(after.length).toBe(before.length);
    expect(after.every((policy) => policy === SCHED_FIFO)).toBe(true);
    child.stdin!.write('go\n');
    expect(await lines()).toBe('thread');
    const withThread = threadPolicies(child.pid!);
    expect(withThread.length).toBeGreaterThan(after.length);
    expect(withThread.every((policy) => policy === SCHED_FIFO)).toBe(true);
  });

  it('says which process it could not raise, and why', async () => {
    const child = spawn(process.execPath, ['-e', 'process.exit(0)']);
    const pid = child.pid!;
    await new Promise((resolve) => child.once('exit', resolve));
    await expect(setRealtimePriority(pid, 'client-2')).rejects.toThrow(
      new RegExp(
        `--client-priority realtime: cannot give client-2 \\(pid ${pid}\\) ` +
          `SCHED_FIFO priority 10: chrt: .+\\. It needs root, CAP_SYS_NICE`,
      ),
    );
  });
});

function lineReader(child: ChildProcess): () => Promise<string> {
  let buffered = '';
  const waiting: Array<(line: string) => void> = [];
  const ready: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      const next = waiting.shift();
      if (next) next(line);
      else ready.push(line);
    }
  });
  return () => (ready.length > 0 ? Promise.resolve(ready.shift()!) : new Promise((resolve) => waiting.push(resolve)));
}
