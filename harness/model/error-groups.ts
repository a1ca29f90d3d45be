/**
 * Failed calls grouped by their error text, per process: what result.json's `errorGroups` holds.
 * The text is normalised for grouping (call ids, correlation ids and numbers replaced), and each
 * group keeps one real example.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();
const nonNegative = z.number().nonnegative();

export const ErrorGroupSchema = z.object({
  /** The client process whose calls failed: 'client-1'. */
  process: z.string(),
  /** The error text with its call-specific parts replaced: `call # (fib(#)) timed out after # ms`. */
  pattern: z.string(),
  /** One real error text of the group: the first one seen. */
  example: z.string(),
  count,
  /** First and last failure of the group, ms since the run start. */
  firstTMs: nonNegative,
  lastTMs: nonNegative,
});

export const ErrorGroupsSchema = z.object({
  /** Largest group first. */
  groups: z.array(ErrorGroupSchema),
  /** Failures beyond the bounded number of groups a process keeps, per process. */
  ungrouped: z.array(z.object({ process: z.string(), count })),
});

export type ErrorGroup = z.infer<typeof ErrorGroupSchema>;
export type ErrorGroups = z.infer<typeof ErrorGroupsSchema>;
