/**
 * What the frame taps of external implementations saw, put together for result.json: each
 * process's connections (lost, re-established), each client's reply mode, and the frames of
 * the first duplicate reply across every tap, which tell its story where no spans exist.
 */
import type { ReportingInstance } from '../impl/implementation.ts';
import type { ClientTally, ServerTally } from '../impl/instance-report.ts';
import type { TimelineEvent } from '../model/result-schema.ts';
import type { ObservedReplyMode, ProcessConnections, TapFrame, TapObservations } from '../model/tap-observations.ts';
import type { TrailFrame } from '../tap/frame-trail.ts';

/** Frames of the duplicate's story kept at most (a request, two deliveries, replies, acks, the kill). */
const MAX_DUPLICATE_FRAMES = 40;

export interface TapObservationsInput {
  readonly clientTallies: ReadonlyMap<string, ClientTally>;
  /** Keyed `server-1#2` for the second incarnation of server-1. */
  readonly serverTallies: ReadonlyMap<string, ServerTally>;
  readonly clients: readonly ReportingInstance[];
  readonly servers: readonly ReportingInstance[];
  readonly timeline: readonly TimelineEvent[];
  readonly runStartEpochMs: number;
}

/** Undefined when no process was observed through a tap. */
export function tapObservations(input: TapObservationsInput): TapObservations | undefined {
  const connections = processConnections(input.clientTallies, input.serverTallies);
  if (connections.length === 0) return undefined;
  const replyModes = observedReplyModes(input.clientTallies);
  const duplicateReplyFrames = duplicateFrames(input);
  return {
    connections,
    ...(replyModes.length > 0 ? { replyModes } : {}),
    ...(duplicateReplyFrames ? { duplicateReplyFrames } : {}),
  };
}

function processConnections(
  clientTallies: ReadonlyMap<string, ClientTally>,
  serverTallies: ReadonlyMap<string, ServerTally>,
): ProcessConnections[] {
  const records: ProcessConnections[] = [];
  for (const [name, tally] of clientTallies)
    if (tally.connections) records.push({ process: name, ...tally.connections });
  for (const [key, tally] of serverTallies) {
    if (!tally.connections) continue;
    const [name, incarnation] = key.split('#');
    const process = incarnation === undefined || incarnation === '1' ? name! : `${name}.${incarnation}`;
    records.push({ process, ...tally.connections });
  }
  return records;
}

function observedReplyModes(clientTallies: ReadonlyMap<string, ClientTally>): ObservedReplyMode[] {
  const modes: ObservedReplyMode[] = [];
  for (const [client, tally] of clientTallies) {
    const counts = tally.replyModes;
    if (!counts || counts.directReplyTo + counts.callbackQueue === 0) continue;
    const mode =
      counts.callbackQueue === 0 ? 'direct-reply-to' : counts.directReplyTo === 0 ? 'callback-queue' : 'mixed';
    modes.push({ client, mode, ...counts });
  }
  return modes;
}

/** The first duplicate reply a client got, told from every tap's frames of its correlation id. */
function duplicateFrames(input: TapObservationsInput): TapObservations['duplicateReplyFrames'] {
  // An external client's tap names it duplicate-delivered; a built-in client's own event is discard-duplicate.
  const duplicate = input.timeline.find(
    (event) => (event.kind === 'duplicate-delivered' || event.kind === 'discard-duplicate') && event.correlationId,
  );
  const correlationId = duplicate?.correlationId;
  if (!correlationId) return undefined;
  const tMs = (atMs: number) => atMs - input.runStartEpochMs;
  const frames: TapFrame[] = [];
  for (const client of input.clients) {
    const seen = client.framesOf?.(correlationId) ?? [];
    let replies = 0;
    for (const frame of seen) {
      const label = clientLabel(frame, client.name, frame.step === 'deliver' ? ++replies : 0);
      if (label) frames.push({ tMs: tMs(frame.atMs), process: client.name, step: frame.step, label });
    }
  }
  for (const server of input.servers) {
    for (const frame of server.framesOf?.(correlationId) ?? []) {
      frames.push({
        tMs: tMs(frame.atMs),
        process: server.name,
        step: frame.step,
        label: serverLabel(frame, server.name),
        ...(frame.redelivered ? { redelivered: true } : {}),
      });
    }
  }
  if (frames.length === 0) return undefined;
  const kill = input.timeline.find((event) => event.kind === 'kill' && event.correlationId === correlationId);
  if (kill) frames.push({ tMs: kill.tMs, process: kill.process, step: 'kill', label: `${kill.process} killed` });
  // The taps stamp frames in whole ms: within one ms, the order a call's steps must happen in.
  frames.sort((a, b) => a.tMs - b.tMs || stepRank(a) - stepRank(b));
  return { correlationId, frames: frames.slice(0, MAX_DUPLICATE_FRAMES) };
}

function stepRank(frame: TapFrame): number {
  const client = frame.process.startsWith('client');
  if (frame.step === 'publish') return client ? 0 : 2;
  if (frame.step === 'deliver') return client ? 6 : 1;
  return { held: 3, kill: 4, ack: 5, nack: 5 }[frame.step];
}

function clientLabel(frame: TrailFrame, client: string, reply: number): string | undefined {
  if (frame.step === 'publish') return `request published by ${client}`;
  if (frame.step !== 'deliver') return undefined;
  return reply === 1 ? `reply delivered to ${client}` : `duplicate reply delivered to ${client}`;
}

function serverLabel(frame: TrailFrame, server: string): string {
  switch (frame.step) {
    case 'deliver':
      return frame.redelivered ? `redelivered to ${server}` : `delivered to ${server}`;
    case 'publish':
      return `${server}'s reply`;
    case 'ack':
      return `acked by ${server}`;
    case 'nack':
      return `rejected by ${server}`;
    case 'held':
      return `${server} held before its ack`;
  }
}
