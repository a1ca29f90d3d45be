import { describe, expect, it } from 'vitest';
import connectionReset from '../../scenarios/connection-reset.ts';
import lateReply from '../../scenarios/late-reply.ts';
import { SCENARIOS } from '../../scenarios/index.ts';
import { applyOverrides } from './apply-overrides.ts';
import { loadNeededForRecoveryMs } from './recovery-tail.ts';

describe('the load runs on for the recovery allowance after the last connection-cutting fault', () => {
  it('every catalogue scenario that judges recovery leaves the default 7 s after its last scheduled cut', () => {
    for (const scenario of SCENARIOS) {
      const needed = loadNeededForRecoveryMs(scenario);
      if (needed !== undefined) expect(scenario.load.durationMs, scenario.name).toBeGreaterThanOrEqual(needed);
    }
    // The servers' connections are closed at 3 s: a client or server back 5 s later still answers calls.
    expect(loadNeededForRecoveryMs(connectionReset)).toBe(10_000);
  });

  it('refuses a duration too short for the allowance, saying the duration needed', () => {
    const { errors } = applyOverrides(connectionReset, { durationMs: 6_000 });
    expect(errors).toEqual([
      'the load lasts 6 s, but its last connection-cutting fault ends at 3 s and recovery is judged within 7 s ' +
        'of it (the recovery allowance): make the load last at least 10 s (--duration), or lower --recovery-allowance',
    ]);
    expect(applyOverrides(connectionReset, { durationMs: 6_000, recoveryAllowanceMs: 2_000 }).errors).toEqual([]);
  });

  it('a larger allowance without --duration lengthens the load to fit', () => {
    const { definition, errors } = applyOverrides(connectionReset, { recoveryAllowanceMs: 12_000 });
    expect(errors).toEqual([]);
    expect(definition.recoveryAllowanceMs).toBe(12_000);
    expect(definition.load.durationMs).toBe(15_000);
  });

  it('leaves scenarios alone whose faults cut no connection (a latency toxic)', () => {
    expect(loadNeededForRecoveryMs(lateReply)).toBeUndefined();
    expect(applyOverrides(lateReply, { durationMs: 3_000 }).errors).toEqual([]);
  });
});
