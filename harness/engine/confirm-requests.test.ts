import { describe, expect, it } from 'vitest';
import baseline from '../../scenarios/baseline.ts';
import quorumLeaderKill from '../../scenarios/quorum-leader-kill.ts';
import { applyOverrides } from '../scenario/apply-overrides.ts';
import { confirmsRequests } from '../scenario/define-scenario.ts';

describe('publisher confirms on requests', () => {
  it(
    "are on for a quorum request queue and off for the tutorial's classic queue, " +
      'unless the scenario says otherwise',
    () => {
      expect(confirmsRequests(quorumLeaderKill.topology)).toBe(true);
      expect(confirmsRequests(baseline.topology)).toBe(false);
      expect(confirmsRequests({ ...quorumLeaderKill.topology, confirmRequests: false })).toBe(false);
      expect(confirmsRequests(applyOverrides(baseline, { queueType: 'quorum', nodes: 3 }).definition.topology)).toBe(
        true,
      );
    },
  );

  it('are asked for with --confirm-requests', () => {
    const { definition, errors } = applyOverrides(baseline, { confirmRequests: true });
    expect(errors).toEqual([]);
    expect(confirmsRequests(definition.topology)).toBe(true);
  });

  it('cannot be asked of an external client: validation says so', () => {
    const { errors } = applyOverrides(baseline, { confirmRequests: true, clientCommand: 'python3 my-driver.py' });
    expect(errors).toEqual([
      expect.stringContaining('confirmRequests makes the built-in client publish with publisher confirms'),
    ]);
  });
});
