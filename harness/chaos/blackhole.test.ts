import { describe, expect, it } from 'vitest';
import { faultShapeProblems } from './fault-schema.ts';
import { describeFault, validateFault } from './fault-spec.ts';
import type { FaultSpec } from './fault-spec.ts';
import { isNetworkFault } from './network-faults.ts';
import { connectionCutEndMs } from '../scenario/recovery-tail.ts';

const blackhole = { kind: 'blackhole', proxy: 'clients', trigger: { atMs: 2_000 }, durationMs: 8_000 } as const;

describe('the blackhole fault kind in a scenario', () => {
  it('is a valid fault, a network fault, and cuts connections until it ends', () => {
    expect(faultShapeProblems(blackhole, 0)).toEqual([]);
    expect(validateFault(blackhole, 1)).toEqual([]);
    expect(isNetworkFault(blackhole)).toBe(true);
    // Removing the toxics closes the connections they held: recovery counts from the end.
    expect(connectionCutEndMs(blackhole)).toBe(10_000);
    expect(describeFault(blackhole).description).toBe(
      'blackhole the clients proxy (data dropped both ways, connections held open) for 8000 ms',
    );
  });

  it('names a missing duration, a misspelt field and an unknown proxy, as for the other kinds', () => {
    const { durationMs: _, ...withoutDuration } = blackhole;
    expect(faultShapeProblems(withoutDuration, 0)).toEqual(['faults[0].durationMs: missing (expected a number)']);
    expect(faultShapeProblems({ ...blackhole, durationMS: 1 }, 1)).toEqual([
      'faults[1].durationMS: not a field of a blackhole fault (did you mean "durationMs"?); ' +
        'its fields: kind, proxy, trigger, durationMs',
    ]);
    expect(faultShapeProblems({ ...blackhole, proxy: 'client' }, 0)).toEqual([
      'faults[0].proxy: "client" is not valid (did you mean "clients"?); one of "servers", "clients"',
    ]);
    expect(faultShapeProblems({ ...blackhole, kind: 'blackhol' }, 0)[0]).toMatch(
      /^faults\[0\]\.kind: "blackhol" is not a fault kind \(did you mean "blackhole"\?\)/,
    );
  });

  it('refuses a duration that is not positive', () => {
    const zero: FaultSpec = { ...blackhole, durationMs: 0 };
    expect(validateFault(zero, 1)).toEqual([
      'fault "blackhole the clients proxy (data dropped both ways, connections held open) for 0 ms": ' +
        'durationMs must be > 0',
    ]);
  });
});
