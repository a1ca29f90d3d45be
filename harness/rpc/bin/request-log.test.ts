import { describe, expect, it } from 'vitest';
import { RequestLog } from './request-log.ts';

describe('RequestLog', () => {
  it('prints every request while there are few of them', () => {
    const lines: string[] = [];
    let nowMs = 0;
    const log = new RequestLog(
      (line) => lines.push(line),
      3,
      () => nowMs,
    );
    for (let i = 0; i < 3; i++) log.request(`fib(${i})`);
    nowMs = 1_500;
    log.request('fib(3)');
    expect(lines).toEqual(['fib(0)', 'fib(1)', 'fib(2)', 'fib(3)']);
  });

  it('prints at most its lines a second and counts the rest in one line', () => {
    const lines: string[] = [];
    let nowMs = 0;
    const log = new RequestLog(
      (line) => lines.push(line),
      2,
      () => nowMs,
    );
    for (let i = 0; i < 1_000; i++) log.request(`fib(${i})`);
    nowMs = 1_000;
    log.request('fib(next)');
    log.flush();
    expect(lines).toEqual([
      'fib(0)',
      'fib(1)',
      ' [.] ... and 998 more requests (at most 2 lines a second)',
      'fib(next)',
    ]);
  });
});
