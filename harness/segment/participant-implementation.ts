/**
 * Implementations belong to a participant, not to the scenario: the servers run may run an
 * external server (`--server-cmd`) and each clients segment its own client (`--client-cmd`,
 * or the built-in one), e.g. half the machines on a new client version during a rolling
 * upgrade. The options that choose them are kept out of the scenario options a merge
 * compares; what each participant ran is its record's implementation label.
 */
import type { ScenarioOverrides } from '../scenario/apply-overrides.ts';
import type { SegmentRecord } from './segment-record.ts';

/** Command-line options that choose a participant's implementations rather than the scenario. */
const IMPLEMENTATION_OPTIONS = ['serverCommand', 'clientCommand', 'readyTimeoutMs'] as const;

/** The scenario options alone; older segment files kept the implementation options among them. */
export function scenarioOptions<T extends Partial<ScenarioOverrides>>(
  overrides: T,
): Omit<T, (typeof IMPLEMENTATION_OPTIONS)[number]> {
  const options: Record<string, unknown> = { ...overrides };
  for (const key of IMPLEMENTATION_OPTIONS) delete options[key];
  return options as Omit<T, (typeof IMPLEMENTATION_OPTIONS)[number]>;
}

/** The implementation a participant ran in its role: the servers run's server, a segment's client. */
export function participantImplementation(record: Pick<SegmentRecord, 'role' | 'implementations'>): string {
  return record.role === 'servers' ? record.implementations.server : record.implementations.client;
}

/**
 * The client implementation of the merged run: the one every clients segment ran, or a mixed
 * fleet naming each segment's (segments in index order).
 */
export function mergedClientImplementation(
  segments: readonly Pick<SegmentRecord, 'role' | 'index' | 'implementations'>[],
): string {
  const labels = new Set(segments.map((s) => s.implementations.client));
  if (labels.size <= 1) return segments[0]?.implementations.client ?? 'none';
  const each = [...segments]
    .sort((a, b) => a.index - b.index)
    .map((s) => `segment-${s.index} ${s.implementations.client}`);
  return `mixed fleet (${labels.size} client implementations): ${each.join('; ')}`;
}
