import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../scenarios/index.ts';
import { validateScenario } from '../scenario/define-scenario.ts';
import { decideProxyUse, NO_NETWORK_FAULT } from './proxy-use.ts';

const named = (name: string) => {
  const scenario = SCENARIOS.find((each) => each.name === name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  return scenario;
};

describe('whether a run puts a proxy between its processes and the broker', () => {
  it.each(['late-reply', 'latency', 'partition', 'connection-reset'])(
    'uses the proxy for %s, whose faults act through it',
    (name) => {
      const use = decideProxyUse('auto', named(name));
      expect(use.used).toBe(true);
      expect(use.reason).toMatch(/^network fault: .*proxy/);
    },
  );

  it.each([
    'duplicate-reply',
    'crash-before-reply',
    'bad-input',
    'baseline',
    'broker-restart',
    'quorum-leader-kill',
    'node-pause',
    'partition-minority',
    'rolling-restart',
  ])('runs %s without a proxy by default: none of its faults needs one', (name) => {
    expect(decideProxyUse('auto', named(name))).toEqual({ used: false, reason: NO_NETWORK_FAULT });
  });

  it('keeps the proxy when asked: --proxy always, a named proxy kind, or topology.proxy always', () => {
    const baseline = named('baseline');
    expect(decideProxyUse('always', baseline)).toEqual({ used: true, reason: '--proxy always' });
    expect(decideProxyUse('builtin', baseline)).toEqual({ used: true, reason: '--proxy builtin' });
    const alwaysProxied = { ...baseline, topology: { ...baseline.topology, proxy: 'always' as const } };
    expect(decideProxyUse('auto', alwaysProxied).used).toBe(true);
    expect(
      decideProxyUse('auto', { ...baseline, topology: { ...baseline.topology, proxy: 'when-faulted' } }).used,
    ).toBe(false);
  });

  it('refuses a topology.proxy that is neither when-faulted nor always', () => {
    const baseline = named('baseline');
    const wrong = { ...baseline, topology: { ...baseline.topology, proxy: 'sometimes' as 'always' } };
    expect(validateScenario(wrong)).toContain('topology.proxy must be one of when-faulted, always, got "sometimes"');
    expect(validateScenario(baseline)).toEqual([]);
  });
});
