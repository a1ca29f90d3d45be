import { describe, expect, it } from 'vitest';
import { lossDetectionTextLines } from './loss-detection-view.ts';

describe('blackhole detection in the fault sections', () => {
  it('says per process when it noticed, through what, and when it reconnected', () => {
    const lines = lossDetectionTextLines({
      lossDetection: [
        {
          fault: 'fault-1',
          process: 'server-1',
          detectedAfterMs: 4_798,
          how: 'Heartbeat timeout',
          beforeEnd: true,
          reconnectedAfterMs: 8_191,
        },
        { fault: 'fault-2', process: 'client-1', detectedAfterMs: 8_050, beforeEnd: false },
        { fault: 'fault-2', process: 'client-2', beforeEnd: false },
      ],
    });
    expect(lines).toEqual([
      '',
      '  blackhole detection (from its start)',
      '  fault-1  server-1  noticed after 4.80 s through heartbeats (before it ended) (Heartbeat timeout), ' +
        'reconnected after 8.19 s',
      '  fault-2  client-1  noticed after 8.05 s through the close when it ended, reconnected never',
      '  fault-2  client-2  noticed never, reconnected never',
    ]);
  });

  it('adds nothing to a run without a blackhole', () => {
    expect(lossDetectionTextLines({})).toEqual([]);
  });
});
