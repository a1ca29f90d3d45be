/**
 * How long each process cut off by a blackhole (a silent network: nothing closed, nothing
 * delivered) took to notice it, in result.json as `lossDetection`. A process notices through
 * heartbeats (its own, or the broker's closing the connection after missed ones) before the
 * blackhole ends; one that notices only when it ends learnt of it from the proxy closing the
 * held connection, not from heartbeats.
 */
import { z } from 'zod';

export const LossDetectionSchema = z.object({
  /** The blackhole fault: 'fault-1'. */
  fault: z.string(),
  /** 'client-1', 'server-2'. */
  process: z.string(),
  /** ms from the blackhole's start to the process's first connection loss after it; absent: none seen. */
  detectedAfterMs: z.number().nonnegative().optional(),
  /** What the process saw: the built-in's error ('Heartbeat timeout'), or the frame tap's view. */
  how: z.string().optional(),
  /** It noticed while the blackhole lasted, as only heartbeats can tell it. */
  beforeEnd: z.boolean(),
  /** ms from the blackhole's start to its first connection after noticing; absent: none seen. */
  reconnectedAfterMs: z.number().nonnegative().optional(),
});

export type LossDetection = z.infer<typeof LossDetectionSchema>;
