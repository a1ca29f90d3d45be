import { errorCount, int, ms, rate } from '../../format.ts';
import type { ScenarioResult } from '../../../model/result-schema.ts';
import { staleReplyVerb } from '../../error-groups-view.ts';

/** How a number should look: an alert when it is non-zero and should not be, muted when zero. */
type Tone = 'alert-if-nonzero' | 'plain';

function stat(label: string, value: string, options: { raw?: number; tone?: Tone; title?: string } = {}): string {
  const classes = ['stat'];
  if (options.raw !== undefined && options.raw > 0 && options.tone === 'alert-if-nonzero') classes.push('alert');
  if (options.raw === 0) classes.push('zero');
  return (
    `<div class="${classes.join(' ')}"${options.title ? ` title="${options.title}"` : ''}>` +
    `<div class="label">${label}</div><div class="value">${value}</div></div>`
  );
}

/** Open loop: the rate asked for and achieved, and how late the load generator started calls. */
function loadNote(result: ScenarioResult): string {
  const offered = result.offeredLoad;
  if (offered?.targetPerSec === undefined || offered.startLateness === undefined) return '';
  const late = offered.startLateness;
  return (
    ` Load: target ${rate(offered.targetPerSec)}, achieved ${rate(offered.achievedPerSec)}; ` +
    `calls started late by p50 ${ms(late.p50)}, p99 ${ms(late.p99)}, max ${ms(late.max)}.`
  );
}

const NOT_SENT_TITLE = 'calls the client took but could not publish: not connected to the broker (reconnecting)';

/** The headline numbers: latency from the summary (exact), then every counter of the run. */
export function renderCounters(result: ScenarioResult): string {
  const s = result.latency.summary;
  const c = result.counters;
  const errors = errorCount(c);
  const count = (label: string, value: number, tone: Tone = 'plain', title?: string) =>
    stat(label, int(value), { raw: value, tone, title });
  const errorsTitle = `remote ${c.remoteErrors}, connection lost ${c.connectionLost}, other ${c.otherErrors}`;
  const kills = `${int(c.serverKills)} / ${int(c.serverRestarts)}`;
  const restarts = `${int(c.brokerRestarts)} / ${int(c.reconnects)}`;
  // An external client's stale replies are seen by its frame tap as delivered; only the built-in client discards.
  const stale = staleReplyVerb(result);
  const staleTitle =
    stale === 'delivered'
      ? 'seen by the frame tap: delivered to the external client, which may or may not drop it'
      : '';
  return (
    `<section class="card" id="latency-stats"><h2>Latency</h2><div class="stats latency">
    ${stat('p50', ms(s.p50))}${stat('p90', ms(s.p90))}${stat('p99', ms(s.p99))}${stat('p99.9', ms(s.p999))}
    ${stat('max', ms(s.max))}${stat('mean', ms(s.mean), { title: `stddev ${ms(s.stddev)}` })}` +
    `${stat('throughput', rate(result.throughput.callsPerSec))}${stat('answered', int(s.count))}
    </div><div class="note">End-to-end, from each call's intended start. ` +
    `Server side p99: queue wait ${ms(result.serverLatency.queueWait.p99)}, ` +
    `service ${ms(result.serverLatency.service.p99)}.${loadNote(result)}</div></section>
  <section class="card" id="counters"><h2>Calls, discards and faults</h2><div class="stats counts">
    ${count('sent', c.sent)}${count('answered', c.answered)}${count('timed out', c.timedOut, 'alert-if-nonzero')}` +
    `${count('errors', errors, 'alert-if-nonzero', errorsTitle)}
    ${count('wrong results', c.wrongResult, 'alert-if-nonzero')}` +
    `${count('dropped', c.dropped, 'alert-if-nonzero', 'calls the load generator could not start (in-flight limit)')}` +
    `${c.notSent ? count('not sent', c.notSent, 'alert-if-nonzero', NOT_SENT_TITLE) : ''}
    ${count(`duplicates ${stale}`, c.discarded.duplicate, 'plain', staleTitle)}` +
    `${count(`late replies ${stale}`, c.discarded.late, 'plain', staleTitle)}` +
    `${count(`unknown replies ${stale}`, c.discarded.unknown, 'plain', staleTitle)}
    ${count('redelivered', c.redelivered)}` +
    `${stat('server kills / restarts', kills, { raw: c.serverKills + c.serverRestarts })}` +
    `${stat('broker restarts / reconnects', restarts, { raw: c.brokerRestarts + c.reconnects })}
    </div></section>`
  );
}
