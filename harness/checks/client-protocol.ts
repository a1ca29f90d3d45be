import type { Check } from '../model/check.ts';

/**
 * For external clients: every line on the client's stdout was an answer to a call it was
 * given, once. Each broken line is counted under its violation name (PROTOCOL.md lists
 * them), so the check says what the client did wrong, not only that something was.
 */
export function clientProtocolFollowed(violations: Readonly<Record<string, number>>): Check {
  const total = Object.values(violations).reduce((sum, count) => sum + count, 0);
  return {
    id: 'client-protocol-followed',
    title: 'The client followed the line protocol',
    expectation: 'protocol violations = 0',
    evaluate: () => ({
      passed: total === 0,
      actual:
        total === 0
          ? 'protocol violations 0'
          : `protocol violations ${total}: ${Object.entries(violations)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([kind, count]) => `${kind} ${count}`)
              .join(', ')}`,
    }),
  };
}
