import { z } from 'zod';

/**
 * What the processes a run started used, sampled about once a second (observe/resources/): the
 * resident memory and CPU of each client, each server incarnation and each broker node, with
 * the processes each started. A long run's series are thinned (pairs of points merged) so that
 * none holds more than MAX_RESOURCE_POINTS points.
 */
export const ResourceSampleSchema = z.object({
  /** Ms since the run start, of the (first) reading the point stands for. */
  tMs: z.number(),
  /** The process and the processes it started, resident memory (the largest reading a point merges). */
  rssBytes: z.number().int().nonnegative(),
  /** CPU time over wall time since the previous reading, in % of one core (200 = two cores busy). */
  cpuPercent: z.number().finite().nonnegative(),
});

export const ProcessResourcesSchema = z.object({
  /** client-1, server-1, server-1.2 (its second incarnation), broker, node-2. */
  name: z.string(),
  role: z.enum(['client', 'server', 'broker']),
  samples: z.array(ResourceSampleSchema),
});

export const ResourcesSchema = z.object({
  /** Between two readings; a thinned series' points are this times 2^k apart. */
  intervalMs: z.number().positive(),
  processes: z.array(ProcessResourcesSchema),
  /** Why nothing was sampled (no /proc: not Linux). */
  unavailable: z.string().optional(),
});

export type ResourceSample = z.infer<typeof ResourceSampleSchema>;
export type ProcessResources = z.infer<typeof ProcessResourcesSchema>;
export type Resources = z.infer<typeof ResourcesSchema>;
