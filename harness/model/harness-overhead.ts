/**
 * What the harness itself puts between the processes under test and the broker: which proxy
 * was used (or none, and why), and what the proxy and the frame tap added to a round trip,
 * measured at the start of the run (harness/engine/calibrate-overhead.ts).
 */
import { z } from 'zod';

/** `none`: the processes connected to the broker without a proxy (`reason` says why). */
export const ProxyUsedSchema = z.object({
  kind: z.enum(['builtin', 'toxiproxy', 'docker', 'none']),
  version: z.string(),
  /** Why the run used a proxy or not, e.g. 'no network fault scheduled'. Absent in older results. */
  reason: z.string().optional(),
});

const millis = z.number().finite();

/** Round-trip latency over one path, in milliseconds. */
const PathLatencySchema = z.object({
  /** direct (to the broker), proxy, tap (straight to the broker), tap+proxy. */
  path: z.enum(['direct', 'proxy', 'tap', 'tap+proxy']),
  p50Ms: millis.nonnegative(),
  p99Ms: millis.nonnegative(),
});

/** One layer's cost: a percentile of the path through it minus the same percentile of the path without it. */
const AddedLatencySchema = z.object({ p50Ms: millis, p99Ms: millis });

export const HarnessOverheadSchema = z.object({
  /** What was timed, e.g. 'AMQP basic.qos round trips from the runner, paths interleaved'. */
  method: z.string(),
  /** Round trips timed per path (after a warm-up that is not counted). */
  roundTrips: z.number().int().nonnegative(),
  /** Wall time the calibration added to the run's start, connections included. */
  costMs: millis.nonnegative(),
  paths: z.array(PathLatencySchema),
  /** Added by the proxy: proxy minus direct. Absent when the run used no proxy. */
  proxy: AddedLatencySchema.optional(),
  /** Added by the frame tap: tap+proxy minus proxy, or tap minus direct. Absent when no tap is in the path. */
  tap: AddedLatencySchema.optional(),
  /** Why nothing (or less) was measured, e.g. a connection that failed. */
  error: z.string().optional(),
});

export type ProxyUsed = z.infer<typeof ProxyUsedSchema>;
export type HarnessOverhead = z.infer<typeof HarnessOverheadSchema>;
export type PathLatency = z.infer<typeof PathLatencySchema>;
