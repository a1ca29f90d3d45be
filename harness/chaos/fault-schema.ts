/**
 * The shape of each fault kind, checked before anything reads a fault: a built-in scenario
 * and a scenario file go through the same schema (validateScenario), so a typo in a file
 * (`kind: 'kill-servr'`, `restartAfterMS`) is named with the field, the value and what is
 * valid, never met later as a TypeError. The ranges (a server that exists, atMs >= 0) are
 * fault-spec.ts's validateFault, which runs once the shape is right.
 */
import { z } from 'zod';
import { closestName } from '../closest-name.ts';
import type { FaultSpec } from './fault-spec.ts';

const trigger = z.union([z.strictObject({ atMs: z.number() }), z.strictObject({ afterCall: z.number() })], {
  error: 'must be { atMs: <ms after the load started> } or { afterCall: <calls sent> }',
});
const proxy = z.enum(['servers', 'clients']);
const node = z.union([z.number(), z.literal('quorum-leader')], {
  error: "must be a node number (from 1) or 'quorum-leader'",
});
const toxic = z.strictObject({
  type: z.enum(['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data']),
  stream: z.enum(['upstream', 'downstream']),
  attributes: z.record(z.string(), z.number()),
  toxicity: z.number().optional(),
});

/** One strict schema per kind: a field no kind has is a typo, and is named as one. */
const FAULT_SCHEMAS = {
  'kill-server-at-fault-point': z.strictObject({
    kind: z.literal('kill-server-at-fault-point'),
    server: z.number(),
    point: z.enum(['beforeReply', 'afterReplyBeforeAck']),
    request: z.number(),
    restartAfterMs: z.number().optional(),
  }),
  'kill-server': z.strictObject({
    kind: z.literal('kill-server'),
    server: z.number(),
    trigger,
    restartAfterMs: z.number().optional(),
  }),
  toxic: z.strictObject({ kind: z.literal('toxic'), proxy, toxic, trigger, durationMs: z.number().optional() }),
  'disable-proxy': z.strictObject({ kind: z.literal('disable-proxy'), proxy, trigger, durationMs: z.number() }),
  'close-connections': z.strictObject({ kind: z.literal('close-connections'), proxy, trigger }),
  blackhole: z.strictObject({ kind: z.literal('blackhole'), proxy, trigger, durationMs: z.number() }),
  'restart-broker': z.strictObject({ kind: z.literal('restart-broker'), trigger }),
  'servers-stop-replying': z.strictObject({
    kind: z.literal('servers-stop-replying'),
    trigger,
    durationMs: z.number().optional(),
  }),
  'kill-node': z.strictObject({ kind: z.literal('kill-node'), node, trigger, restartAfterMs: z.number().optional() }),
  'pause-node': z.strictObject({
    kind: z.literal('pause-node'),
    node,
    trigger,
    durationMs: z.number(),
    onPartition: z.enum(['restart-app', 'restart-node']).optional(),
  }),
  'partition-node': z.strictObject({ kind: z.literal('partition-node'), node, trigger, durationMs: z.number() }),
  'rolling-restart': z.strictObject({ kind: z.literal('rolling-restart'), trigger, gapMs: z.number() }),
  'memory-alarm': z.strictObject({ kind: z.literal('memory-alarm'), trigger, durationMs: z.number() }),
  'delete-request-queue': z.strictObject({
    kind: z.literal('delete-request-queue'),
    trigger,
    redeclareAfterMs: z.number(),
  }),
} satisfies { readonly [K in FaultSpec['kind']]: z.ZodType<Extract<FaultSpec, { kind: K }>> };

type FaultKind = keyof typeof FAULT_SCHEMAS;
export const FAULT_KINDS = Object.keys(FAULT_SCHEMAS) as FaultKind[];

/**
 * Why `fault` (the scenario's `faults[index]`) is not a fault, one line per problem, each
 * naming the field, the value and what is valid; empty when its shape is right.
 */
export function faultShapeProblems(fault: unknown, index: number): string[] {
  const at = `faults[${index}]`;
  if (typeof fault !== 'object' || fault === null || Array.isArray(fault))
    return [`${at}: expected a fault { kind, ... }, got ${shown(fault)}`];
  const kind = (fault as { kind?: unknown }).kind;
  if (!isFaultKind(kind)) {
    const suggestion = typeof kind === 'string' ? closestName(kind, FAULT_KINDS) : undefined;
    const what =
      kind === undefined
        ? 'missing'
        : `${shown(kind)} is not a fault kind${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
    return [`${at}.kind: ${what}; valid kinds: ${FAULT_KINDS.join(', ')}`];
  }
  const schema = FAULT_SCHEMAS[kind];
  const parsed = schema.safeParse(fault);
  if (parsed.success) return [];
  return parsed.error.issues.flatMap((issue) => describeIssue(issue, fault, at, schema));
}

function isFaultKind(kind: unknown): kind is FaultKind {
  return typeof kind === 'string' && Object.hasOwn(FAULT_SCHEMAS, kind);
}

function describeIssue(issue: z.core.$ZodIssue, fault: object, at: string, schema: z.ZodObject): string[] {
  const path = `${at}${issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('')}`;
  const value = valueAt(fault, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const fields = fieldsAt(schema, issue.path);
      return issue.keys.map((key) => {
        const suggestion = fields ? closestName(key, fields) : undefined;
        const owner = issue.path.length === 0 ? `a ${(fault as { kind: string }).kind} fault` : 'this object';
        const didYouMean = suggestion ? ` (did you mean "${suggestion}"?)` : '';
        const known = fields ? `; its fields: ${fields.join(', ')}` : '';
        return `${path}.${key}: not a field of ${owner}${didYouMean}${known}`;
      });
    }
    case 'invalid_type': {
      const expected = `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
      return [
        value === undefined
          ? `${path}: missing (expected ${expected})`
          : `${path}: expected ${expected}, got ${shown(value)}`,
      ];
    }
    case 'invalid_value': {
      const suggestion = typeof value === 'string' ? closestName(value, issue.values.map(String)) : undefined;
      return [
        `${path}: ${shown(value)} is not valid${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; ` +
          `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
      ];
    }
    default:
      return [`${path}: ${issue.message}, got ${shown(value)}`];
  }
}

/** The field names of the object schema at `path`, for a "did you mean". */
function fieldsAt(schema: z.ZodObject, path: readonly PropertyKey[]): string[] | undefined {
  let current: unknown = schema;
  for (const key of path) {
    if (!(current instanceof z.ZodObject)) return undefined;
    current = current.shape[String(key)];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : undefined;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
