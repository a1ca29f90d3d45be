import { z } from 'zod';

/**
 * What the AMQP frame tap saw of external implementations (harness/tap), per process: the
 * connections each lost and re-established, the reply mode each client really used, and the
 * frames of the first duplicate reply, which stand in for spans a black box does not write.
 */

const count = z.number().int().nonnegative();

/** One process's connections, as its tap saw them. */
export const ProcessConnectionsSchema = z.object({
  /** `client-1`, `server-2`; a server's later incarnation `server-2.2`. */
  process: z.string(),
  /** Connections that reached connection.open-ok. */
  established: count,
  /** Established connections the broker side (broker or proxy) ended while the process ran. */
  lost: count,
  /** Connections established after a loss, each answering one loss. */
  reestablished: count,
  /** Connections that never reached open-ok (e.g. attempts while the broker was down). */
  failedAttempts: count,
});

export const ReplyModeCountsSchema = z.object({ directReplyTo: count, callbackQueue: count });

/** The reply_to of a client's requests: amq.rabbitmq.reply-to (direct reply-to) or a queue of its own. */
export const ObservedReplyModeSchema = ReplyModeCountsSchema.extend({
  client: z.string(),
  mode: z.enum(['callback-queue', 'direct-reply-to', 'mixed']),
});

/** One frame of the duplicate reply's correlation id, as one process's tap saw it. */
export const TapFrameSchema = z.object({
  /** Since run start. */
  tMs: z.number(),
  process: z.string(),
  step: z.enum(['publish', 'deliver', 'ack', 'nack', 'held', 'kill']),
  /** What it was in the story of the call, e.g. "request published by client-1". */
  label: z.string(),
  redelivered: z.boolean().optional(),
});

export const TapObservationsSchema = z.object({
  connections: z.array(ProcessConnectionsSchema),
  replyModes: z.array(ObservedReplyModeSchema).optional(),
  /** The first duplicate reply's frames across every tap, by time; absent when there was none or it was forgotten. */
  duplicateReplyFrames: z.object({ correlationId: z.string(), frames: z.array(TapFrameSchema) }).optional(),
});

export type ProcessConnections = z.infer<typeof ProcessConnectionsSchema>;
export type ReplyModeCounts = z.infer<typeof ReplyModeCountsSchema>;
export type ObservedReplyMode = z.infer<typeof ObservedReplyModeSchema>;
export type TapFrame = z.infer<typeof TapFrameSchema>;
export type TapObservations = z.infer<typeof TapObservationsSchema>;
