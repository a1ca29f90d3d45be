import { describe, expect, it } from 'vitest';
import { makeClusterResult } from '../test/cluster-fixture.ts';
import { renderFaultImpact } from './sections/header.ts';
import { nodeLanes } from './node-lanes.ts';

describe('node lanes', () => {
  const lanes = nodeLanes(makeClusterResult().cluster!, 30_000);

  it('has one lane per node, each state a segment up to the end of the run', () => {
    expect(lanes.map((lane) => lane.label)).toEqual(['node-1', 'node-2', 'node-3']);
    expect(lanes[2]!.segments).toEqual([
      { fromS: 0, toS: 8, state: 'up' },
      { fromS: 8, toS: 12, state: 'paused' },
      { fromS: 12, toS: 30, state: 'up' },
    ]);
  });

  it('moves the leadership: the old leader, if still up, goes back to plain up', () => {
    expect(lanes[0]!.segments).toEqual([
      { fromS: 0, toS: 23, state: 'leader' },
      { fromS: 23, toS: 27, state: 'down' },
      { fromS: 27, toS: 30, state: 'up' },
    ]);
    expect(lanes[1]!.segments).toEqual([
      { fromS: 0, toS: 16, state: 'up' },
      { fromS: 16, toS: 20, state: 'partitioned' },
      { fromS: 20, toS: 24, state: 'up' },
      { fromS: 24, toS: 30, state: 'leader' },
    ]);
  });
});

describe('fault impact in the report header', () => {
  it("shows the worst unavailability and recovery, and each fault's, saying when one never recovered", () => {
    const html = renderFaultImpact(makeClusterResult());
    expect(html).toContain('unavailability (worst fault)</div><div class="value">3.00 s');
    expect(html).toContain('recovery time (worst fault)</div><div class="value">never recovered');
    const faultRow = new RegExp(
      String.raw`fault-2<\/td><td><b>partition-node node-2<\/b><\/td>\s*` +
        String.raw`<td class="num">1.00 s<\/td>\s*<td class="num">2.00 s<\/td>`,
    );
    expect(html).toMatch(faultRow);
  });

  it('is absent when no fault fired', () => {
    const result = makeClusterResult();
    expect(renderFaultImpact({ ...result, faultImpact: undefined })).toBe('');
  });
});
