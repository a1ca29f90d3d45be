import { describe, expect, it } from 'vitest';
import type { LossDetection } from '../model/loss-detection.ts';
import { lostPeerNoticed } from './lost-peer.ts';
import { cleanRunInput } from './test/check-input-fixture.ts';

const faults = [
  {
    id: 'fault-1',
    kind: 'blackhole',
    target: 'proxy clients',
    description: 'blackhole',
    trigger: 'at 2.0 s',
    fired: true,
    startMs: 2_000,
    endMs: 10_000,
  },
];
const judge = (lossDetection: LossDetection[] | undefined) =>
  lostPeerNoticed.evaluate(cleanRunInput({ faults, lossDetection }));

describe('lost-peer-noticed', () => {
  it('passes when every process noticed before the blackhole ended and reconnected', () => {
    const result = judge([
      {
        fault: 'fault-1',
        process: 'client-1',
        detectedAfterMs: 4_020,
        how: 'Heartbeat timeout',
        beforeEnd: true,
        reconnectedAfterMs: 8_250,
      },
    ]);
    expect(result).toEqual({
      passed: true,
      actual: 'all client-1 noticed after 4.02 s (Heartbeat timeout), reconnected after 8.25 s',
    });
  });

  it('fails a process that noticed only when the blackhole ended (no heartbeats), naming it', () => {
    const result = judge([
      {
        fault: 'fault-1',
        process: 'client-1',
        detectedAfterMs: 8_010,
        how: 'Unexpected close',
        beforeEnd: false,
        reconnectedAfterMs: 8_300,
      },
    ]);
    expect(result.passed).toBe(false);
    expect(result.actual).toBe(
      '1 of 1 did not: client-1 noticed only after 8.01 s, when the blackhole ended (8.00 s) and the proxy closed ' +
        'the connection it held (Unexpected close), reconnected after 8.30 s',
    );
  });

  it('fails a process that noticed in time but never reconnected, and one that never noticed', () => {
    const result = judge([
      { fault: 'fault-1', process: 'client-1', detectedAfterMs: 4_000, beforeEnd: true },
      { fault: 'fault-1', process: 'client-2', beforeEnd: false },
    ]);
    expect(result.passed).toBe(false);
    expect(result.actual).toBe(
      '2 of 2 did not: client-1 noticed after 4.00 s, never reconnected; ' +
        'client-2 never noticed (no connection loss after the blackhole started)',
    );
  });

  it('has nothing to judge without a blackhole', () => {
    expect(judge([])).toEqual({ passed: true, actual: 'no blackhole fired' });
    expect(judge(undefined).passed).toBe(true);
  });
});
