/**
 * The blackhole detection times (result.json `lossDetection`) as the fault sections show them:
 * per process on a silenced link, how long it took to notice and to reconnect.
 */
import type { LossDetection } from '../model/loss-detection.ts';
import type { ScenarioResult } from '../model/result-schema.ts';

export interface LossDetectionRow {
  readonly fault: string;
  readonly process: string;
  /** '4.02 s', or 'never'. */
  readonly noticed: string;
  /** 'heartbeats (before it ended)', 'the close when it ended', or '—'. */
  readonly through: string;
  readonly how: string;
  readonly reconnected: string;
}

const seconds = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(2)} s`);

function row(detection: LossDetection): LossDetectionRow {
  const noticed = detection.detectedAfterMs !== undefined;
  return {
    fault: detection.fault,
    process: detection.process,
    noticed: seconds(detection.detectedAfterMs),
    through: !noticed ? '—' : detection.beforeEnd ? 'heartbeats (before it ended)' : 'the close when it ended',
    how: detection.how ?? '',
    reconnected: seconds(detection.reconnectedAfterMs),
  };
}

export function lossDetectionRows(result: Pick<ScenarioResult, 'lossDetection'>): LossDetectionRow[] {
  return (result.lossDetection ?? []).map(row);
}

/** One line per process, for the terminal summary: '  fault-1  client-1  noticed after 4.02 s …'. */
export function lossDetectionTextLines(result: Pick<ScenarioResult, 'lossDetection'>): string[] {
  const rows = lossDetectionRows(result);
  if (rows.length === 0) return [];
  return [
    '',
    '  blackhole detection (from its start)',
    ...rows.map(
      (each) =>
        `  ${each.fault}  ${each.process}  noticed ${each.noticed === 'never' ? 'never' : `after ${each.noticed}`}` +
        `${each.noticed === 'never' ? '' : ` through ${each.through}`}${each.how ? ` (${each.how})` : ''}` +
        `, reconnected ${each.reconnected === 'never' ? 'never' : `after ${each.reconnected}`}`,
    ),
  ];
}
