import { describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../scenarios/index.ts';
import { catalogueTags, isSingleNode, selectScenarios, splitSelectors } from './select-scenarios.ts';

const names = (selectors: string[]) => selectScenarios(SCENARIOS, selectors).scenarios.map((each) => each.name);

describe('the scenarios a suite runs', () => {
  it('is the single-node catalogue by default, in catalogue order', () => {
    const all = names([]);
    expect(all).toEqual(SCENARIOS.filter(isSingleNode).map((each) => each.name));
    expect(all).toContain('duplicate-reply');
    expect(all).not.toContain('quorum-leader-kill');
    expect(all).toHaveLength(14);
  });

  it('takes names and tags, mixed, in catalogue order, each once', () => {
    expect(names(['consumer-cancel', 'duplicate-reply'])).toEqual(['duplicate-reply', 'consumer-cancel']);
    expect(names(['broker'])).toEqual(['broker-restart', 'rolling-restart', 'memory-alarm', 'consumer-cancel']);
    expect(names(['production', 'memory-alarm'])).toEqual([
      'blackhole',
      'reply-queue-lost',
      'no-reply',
      'memory-alarm',
      'consumer-cancel',
    ]);
    // A cluster scenario runs when named or tagged.
    expect(names(['cluster'])).toEqual(['quorum-leader-kill', 'node-pause', 'partition-minority', 'rolling-restart']);
  });

  it('names an unknown selector, with the nearest scenario or tag', () => {
    const { errors } = selectScenarios(SCENARIOS, ['duplicate-replies', 'netwrk', 'zzz']);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(
      /^"duplicate-replies" is neither a scenario nor a tag \(did you mean "duplicate-reply"\?\)/,
    );
    expect(errors[1]).toMatch(/\(did you mean "network"\?\)/);
    expect(errors[2]).toMatch(/^"zzz" is neither a scenario nor a tag; scenarios: duplicate-reply, .*; tags: broker, /);
  });

  it('splits comma-separated and repeated options', () => {
    expect(splitSelectors(['a,b', ' c ', '', 'd,,'])).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives every scenario of the catalogue at least one tag', () => {
    for (const scenario of SCENARIOS) expect(scenario.tags?.length, scenario.name).toBeGreaterThan(0);
    expect(catalogueTags(SCENARIOS)).toEqual([
      'broker',
      'cluster',
      'input',
      'network',
      'performance',
      'process',
      'production',
      'seed',
      'timing',
    ]);
  });
});
