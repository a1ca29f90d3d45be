import type { ScenarioResult } from '../../model/result-schema.ts';
import type { TapFrame } from '../../model/tap-observations.ts';
import { escapeHtml } from './escape.ts';
import { renderWaterfall } from './waterfall.ts';

/** A label that would start right of this share of the track goes left of its mark, so it stays inside the card. */
const LABEL_FLIP_AT = 62;

/**
 * The trace section: the duplicate reply's spans when there are some; for external
 * implementations, which write none, the frames their taps saw of the same call; otherwise
 * why there is nothing to show.
 */
export function renderDuplicateTrace(result: ScenarioResult): string {
  const spans = result.traces.duplicateReplyTrace;
  if (spans && spans.length > 0) return renderWaterfall(spans);
  const story = result.tap?.duplicateReplyFrames;
  if (story && story.frames.length > 0) return renderTapWaterfall(story.correlationId, story.frames);
  const duplicates = result.counters.discarded.duplicate;
  if (duplicates === 0) return renderWaterfall(undefined);
  return (
    `<div class="empty" id="waterfall-empty"><b>${duplicates} duplicate ${duplicates === 1 ? 'reply' : 'replies'} ` +
    'reached a client, but no trace of one is kept.</b><br>' +
    (result.tap
      ? 'The frame taps had forgotten its frames (they keep the most recent calls only).'
      : 'Tracing was off or did not sample that call; run with tracing on to see one.') +
    '</div>'
  );
}

/** The duplicate's frames as the taps saw them: one row per frame, grouped by process, on one time axis. */
export function renderTapWaterfall(correlationId: string, frames: readonly TapFrame[]): string {
  const start = Math.min(...frames.map((f) => f.tMs));
  const end = Math.max(...frames.map((f) => f.tMs));
  const total = Math.max(end - start, 1);
  const pos = (t: number) => ((t - start) / total) * 100;
  const processes = [...new Set(frames.map((f) => f.process))];
  const groups = processes
    .map((process) => {
      const own = frames.filter((f) => f.process === process);
      return (
        `<div class="wf-proc" data-process="${escapeHtml(process)}"><span>${escapeHtml(process)}</span>` +
        `<span class="muted" style="font-weight:400">${own.length} frame${own.length === 1 ? '' : 's'} ` +
        'seen by its tap</span></div>' +
        own.map((f) => frameRow(f, pos, start)).join('')
      );
    })
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<span style="left:${f * 100}%">` +
        `${f === 0 ? `${(start / 1000).toFixed(3)} s` : `+${(f * total).toFixed(0)} ms`}</span>`,
    )
    .join('');
  return (
    `<div class="wf" id="waterfall" data-source="frame-tap">${groups}
    <div class="wf-axis"><span class="mono" title="correlation id">call ${escapeHtml(correlationId)}</span>` +
    `<div class="wf-ticks">${ticks}</div></div></div>
    <div class="note">External implementations write no spans: these are the AMQP frames of one call that ` +
    'the frame taps in front of each process saw (times in whole ms since run start). Red: the server held at ' +
    'the fault point and killed; amber, highlighted: the duplicate reply delivered to the client.</div>'
  );
}

function frameRow(frame: TapFrame, pos: (t: number) => number, start: number): string {
  const duplicate = frame.label.startsWith('duplicate reply');
  const error = frame.step === 'held' || frame.step === 'kill';
  const tone = error ? 'error' : duplicate ? 'discard' : '';
  // A mark is a thin bar starting at its time: the last one stays inside the track.
  const left = Math.min(pos(frame.tMs), 99);
  const label = `+${(frame.tMs - start).toFixed(0)} ms · ${frame.label}`;
  const place = left > LABEL_FLIP_AT ? `right:${(100 - left + 0.6).toFixed(2)}%` : `left:${(left + 0.9).toFixed(2)}%`;
  return (
    `<div class="wf-row${duplicate ? ' discard' : ''}${error ? ' error' : ''}" data-step="${frame.step}" ` +
    `title="${escapeHtml(`${frame.label} at ${(frame.tMs / 1000).toFixed(3)} s`)}">
    <div class="wf-name">${escapeHtml(frame.label)}</div>
    <div class="wf-track"><div class="wf-bar ${tone}" style="left:${left.toFixed(2)}%;width:0.4%"></div>` +
    `<span class="wf-label ${tone}" style="${place}">${escapeHtml(label)}</span></div></div>`
  );
}
