/**
 * Detection times of a blackhole, per process on the link it silenced, read from the timeline:
 * the built-in server and client record the connection loss amqplib reports (a heartbeat
 * timeout), and the frame tap of an external program records its connection's end and its
 * next connection (tap/connection-history.ts).
 */
import type { FaultRecord, TimelineEvent } from '../model/result-schema.ts';
import type { LossDetection } from '../model/loss-detection.ts';

/** Which processes each blackhole cut off: the `clients` proxy carries every client, `servers` every server. */
export function lossDetections(
  faults: readonly FaultRecord[],
  events: readonly TimelineEvent[],
  topology: { readonly clients: number; readonly servers: number },
): LossDetection[] {
  const detections: LossDetection[] = [];
  for (const fault of faults) {
    if (fault.kind !== 'blackhole' || !fault.fired || fault.startMs === undefined) continue;
    const role = fault.target.endsWith('servers') ? 'server' : 'client';
    const count = role === 'server' ? topology.servers : topology.clients;
    for (let index = 1; index <= count; index++) {
      detections.push(detectionOf(fault, `${role}-${index}`, events, fault.startMs));
    }
  }
  return detections;
}

function detectionOf(fault: FaultRecord, process: string, events: readonly TimelineEvent[], startMs: number) {
  const own = events.filter((event) => event.process === process && event.tMs >= startMs);
  const lost = own.find((event) => event.kind === 'connection-lost');
  const detection: LossDetection = { fault: fault.id, process, beforeEnd: false };
  if (!lost) return detection;
  const reconnect = own.find((event) => event.kind === 'reconnect' && event.tMs >= lost.tMs);
  return {
    ...detection,
    detectedAfterMs: lost.tMs - startMs,
    ...(lost.detail ? { how: lost.detail } : {}),
    beforeEnd: fault.endMs === undefined || lost.tMs < fault.endMs,
    ...(reconnect ? { reconnectedAfterMs: reconnect.tMs - startMs } : {}),
  };
}

/** "client-1 after 4.12 s (Heartbeat timeout), reconnected at 8.30 s" as checks and reports word it. */
export function describeDetection(detection: LossDetection, fault?: Pick<FaultRecord, 'endMs' | 'startMs'>): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  if (detection.detectedAfterMs === undefined)
    return `${detection.process} never noticed (no connection loss after the blackhole started)`;
  const when =
    detection.beforeEnd || fault?.endMs === undefined || fault.startMs === undefined
      ? `after ${seconds(detection.detectedAfterMs)}`
      : `only after ${seconds(detection.detectedAfterMs)}, when the blackhole ended ` +
        `(${seconds(fault.endMs - fault.startMs)}) and the proxy closed the connection it held`;
  const how = detection.how ? ` (${detection.how})` : '';
  const reconnected =
    detection.reconnectedAfterMs === undefined
      ? ', never reconnected'
      : `, reconnected after ${seconds(detection.reconnectedAfterMs)}`;
  return `${detection.process} noticed ${when}${how}${reconnected}`;
}
