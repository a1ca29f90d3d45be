import { instant, int } from './format.ts';
import type { ScenarioResult } from '../model/result-schema.ts';

/** The clock skew above which the merge warns (issue: "more than 50 ms"). */
export const CLOCK_SKEW_WARN_MS = 50;

export interface ParticipantRow {
  readonly who: string;
  readonly host: string;
  readonly startOffset: string;
  readonly sent: string;
  readonly answered: string;
  /** What it ran in its role ('-' for results older than this field). */
  readonly implementation: string;
  readonly dir: string;
}

type Segments = NonNullable<ScenarioResult['segments']>;

/** One line for a merged run: how many took part, when they were to start, how far apart they did. */
export function segmentsHeadline(segments: Segments): string {
  const clients = segments.participants.filter((p) => p.role === 'clients').length;
  const servers = segments.participants.length - clients;
  const skew =
    `clock skew ${segments.clockSkewMs.toFixed(1)} ms` +
    `${segments.clockSkewMs > CLOCK_SKEW_WARN_MS ? ` (over ${CLOCK_SKEW_WARN_MS} ms)` : ''}`;
  const clientImplementations = new Set(
    segments.participants.filter((p) => p.role === 'clients' && p.implementation).map((p) => p.implementation),
  );
  const mixed =
    clientImplementations.size > 1 ? ` · mixed fleet: ${clientImplementations.size} client implementations` : '';
  return (
    `merged from ${clients} of ${segments.count} clients segments` +
    `${servers > 0 ? ` and ${servers} servers run${servers > 1 ? 's' : ''}` : ''}` +
    `${mixed} · agreed start ${instant(segments.startAt)} · ${skew}`
  );
}

/** Each participant of a merged run, clients segments in order, then the servers run. */
export function participantRows(segments: Segments): ParticipantRow[] {
  const ordered = [...segments.participants].sort((a, b) =>
    a.role === b.role ? a.index - b.index : a.role === 'clients' ? -1 : 1,
  );
  return ordered.map((p) => ({
    who: p.role === 'clients' ? `segment ${p.index}/${segments.count}` : 'servers',
    host: p.localAddress ? `${p.host} (${p.localAddress})` : p.host,
    startOffset: `${p.startOffsetMs >= 0 ? '+' : ''}${p.startOffsetMs.toFixed(1)} ms`,
    sent: p.role === 'clients' ? int(p.sent) : '-',
    answered: p.role === 'clients' ? int(p.answered) : '-',
    implementation: p.implementation ?? '-',
    dir: p.dir,
  }));
}
