import { describe, expect, it } from 'vitest';
import type { FaultRecord, TimelineEvent } from '../model/result-schema.ts';
import { lossDetections } from './loss-detection.ts';

const hole = (target: string, startMs: number, endMs: number, id = 'fault-1'): FaultRecord => ({
  id,
  kind: 'blackhole',
  target,
  description: 'blackhole',
  trigger: 'at 1.0 s',
  fired: true,
  startMs,
  endMs,
});
const event = (tMs: number, process: string, kind: TimelineEvent['kind'], detail?: string): TimelineEvent => ({
  tMs,
  process,
  kind,
  ...(detail ? { detail } : {}),
});

describe('blackhole detection times', () => {
  it('counts from the blackhole start to each process on its link noticing, and to its reconnect', () => {
    const events = [
      event(500, 'client-1', 'connection-lost', 'an earlier loss is not this blackhole'),
      event(1_100, 'server-1', 'timeout'),
      event(5_800, 'server-1', 'connection-lost', 'Heartbeat timeout'),
      event(9_200, 'server-1', 'reconnect'),
    ];
    expect(lossDetections([hole('proxy servers', 1_000, 9_000)], events, { clients: 1, servers: 2 })).toEqual([
      {
        fault: 'fault-1',
        process: 'server-1',
        detectedAfterMs: 4_800,
        how: 'Heartbeat timeout',
        beforeEnd: true,
        reconnectedAfterMs: 8_200,
      },
      // No event at all: it never noticed.
      { fault: 'fault-1', process: 'server-2', beforeEnd: false },
    ]);
  });

  it('marks a process that lost its connection only when the blackhole ended', () => {
    const events = [
      event(10_003, 'client-1', 'connection-lost', 'the frame tap saw the connection end'),
      event(10_400, 'client-1', 'reconnect'),
    ];
    const [detection] = lossDetections([hole('proxy clients', 2_000, 10_000)], events, { clients: 1, servers: 1 });
    expect(detection).toMatchObject({ process: 'client-1', detectedAfterMs: 8_003, beforeEnd: false });
  });

  it('ignores faults of other kinds and blackholes that never fired', () => {
    const unfired = { ...hole('proxy clients', 0, 0), fired: false, startMs: undefined };
    const other = { ...hole('proxy clients', 0, 100), kind: 'toxic' };
    expect(lossDetections([unfired, other], [], { clients: 1, servers: 1 })).toEqual([]);
  });
});
