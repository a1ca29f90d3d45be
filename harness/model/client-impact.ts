import { z } from 'zod';

/**
 * What a fault cost each client, beside the figures for all clients together: a client whose
 * connection sat on a killed node can answer nothing for the whole fault while the others keep
 * the merged series busy (observe/client-fault-impact.ts).
 */
const nonNegative = z.number().finite().nonnegative();

/**
 * What recovery is measured against: the answered rate before the first fault, the offered rate
 * when the fault came before one whole interval had passed (an open loop only), or nothing.
 */
export const RecoveryBaselineSchema = z.enum(['before-fault', 'offered-load', 'none']);

export const ClientFaultImpactSchema = z.object({
  client: z.string(),
  /** Fault start to the client's first interval with an answered call; null: none after the start. */
  unavailabilityMs: nonNegative.nullable(),
  /** Fault end to the client's rate back within 10 % of its baseline; null: never, or no baseline. */
  recoveryMs: nonNegative.nullable(),
  baselinePerSec: nonNegative,
  baseline: RecoveryBaselineSchema,
});

/** The client that fared worst; `ms: null` is worse than any number (never answered, never recovered). */
export const WorstClientSchema = z.object({ client: z.string(), ms: nonNegative.nullable() });

/** The optional fields a fault's impact gained; older results have none of them. */
export const PER_CLIENT_IMPACT_FIELDS = {
  /** Absent in older results: then 'before-fault', the only baseline they knew. */
  baseline: RecoveryBaselineSchema.optional(),
  /** Only clients that started calls after the fault began are judged. */
  clients: z.array(ClientFaultImpactSchema).optional(),
  worstUnavailability: WorstClientSchema.optional(),
  /** Among the clients whose recovery could be judged (a baseline). */
  worstRecovery: WorstClientSchema.optional(),
};

export type RecoveryBaseline = z.infer<typeof RecoveryBaselineSchema>;
export type ClientFaultImpact = z.infer<typeof ClientFaultImpactSchema>;
export type WorstClient = z.infer<typeof WorstClientSchema>;
