import { isBrokerFault, validateBrokerFault } from '../chaos/broker-faults.ts';
import { faultShapeProblems } from '../chaos/fault-schema.ts';
import type { FaultSpec } from '../chaos/fault-spec.ts';
import { validateFault, validateNodeFault } from '../chaos/fault-spec.ts';
import type { Check } from '../model/check.ts';
import { validateImplementationSpec, type ImplementationsSpec } from './implementation-spec.ts';
import { validateLoadOptions, type LoadOptions } from '../load/load-options.ts';
import { REPLY_MODES, type ReplyMode } from '../rpc/fib-rpc-client.ts';
import { validateQueueName } from './queue-name.ts';
import { DEFAULT_WARMUP_CALLS } from '../model/warmup.ts';
import { recoveryTailProblems } from './recovery-tail.ts';
import { heartbeatProblem } from '../rpc/heartbeat-url.ts';

export type QueueType = 'classic' | 'quorum';
export const QUEUE_TYPES: readonly QueueType[] = ['classic', 'quorum'];
export type ProxyUseOption = 'when-faulted' | 'always';
export const PROXY_USE_OPTIONS: readonly ProxyUseOption[] = ['when-faulted', 'always'];

/** A scenario file's default export: data, not a script, so the runner can validate it whole. */
export interface ScenarioDefinition {
  readonly name: string;
  /** One line for `npm run scenario -- list`. */
  readonly description: string;
  /**
   * Families the scenario belongs to (`network`, `broker`, `production`…), for `rpc-chaos suite
   * --scenarios <tag>`: lower-case words joined by dashes.
   */
  readonly tags?: readonly string[];
  readonly topology: {
    readonly servers: number;
    readonly clients: number;
    readonly replyMode: ReplyMode;
    readonly prefetch: number;
    /** Replies on a confirm channel: the fault point then sits after the broker's confirm. */
    readonly confirmReplies: boolean;
    /**
     * Request queue shared with other programs on purpose (e.g. a server under test that
     * consumes a fixed name). Left out, each run uses a queue of its own, deleted afterwards.
     */
    readonly queue?: string;
    /** Request queue type: 'quorum' replicates it across a cluster's nodes. Default 'classic'. */
    readonly queueType?: QueueType;
    /** Broker nodes: above 1 the run starts a private cluster (see harness/env/cluster). Default 1. */
    readonly nodes?: number;
    /**
     * Clients publish requests with publisher confirms, so the run knows which requests the
     * broker took responsibility for and checks that none of those was lost (built-in client).
     * Default: on for a quorum request queue, off otherwise.
     */
    readonly confirmRequests?: boolean;
    /**
     * 'always': servers and clients reach the broker through the proxy even when no network
     * fault is scheduled. Default 'when-faulted': only a run with a toxic, a proxy taken down or
     * its connections closed puts a proxy in their path (`--proxy always` does the same as 'always').
     */
    readonly proxy?: ProxyUseOption;
  };
  /** Load per client process. */
  readonly load: LoadOptions;
  readonly timeoutMs: number;
  /** Requests cycle n through 0..maxN. */
  readonly maxN?: number;
  /** Every k-th request body is malformed (bad-input). */
  readonly badInputEvery?: number;
  readonly faults: readonly FaultSpec[];
  /** Fault-effect checks on top of the core invariants. */
  readonly checks: readonly Check[];
  /** Default gates, e.g. 'errors==0'; the CLI can add more. */
  readonly gates: readonly string[];
  readonly tracing?: { readonly sampleRatio: number };
  /** The implementations under test; the built-in server and client when omitted. */
  readonly implementations?: ImplementationsSpec;
  /**
   * Accept a run in which the harness could not offer the load asked for (calls dropped at
   * the in-flight limit, rate not reached): the offered-load check then passes, and the
   * report still carries a warning. Default: such a run fails.
   */
  readonly acceptUndeliveredLoad?: boolean;
  /**
   * Calls each client makes after it is ready and before the measured load, counted nowhere
   * (harness/model/warmup.ts), so a client's set-up at its first call stays out of the
   * measurement. Default DEFAULT_WARMUP_CALLS; 0 sends none.
   */
  readonly warmupCalls?: number;
  /**
   * How long clients and servers have after the last connection-cutting fault to recover
   * (harness/model/recovery-allowance.ts); the load must last that long after it. Default 7 s.
   */
  readonly recoveryAllowanceMs?: number;
  /**
   * The AMQP heartbeat (seconds) servers and clients are told to use (harness/rpc/heartbeat-url.ts):
   * the built-ins ask for it, external programs get AMQP_HEARTBEAT. Left out: the broker's proposal.
   */
  readonly heartbeatSeconds?: number;
}

/** The warm-up calls each client of a run makes. */
export function warmupCallsOf(definition: Pick<ScenarioDefinition, 'warmupCalls'>): number {
  return definition.warmupCalls ?? DEFAULT_WARMUP_CALLS;
}

/** Whether a run's clients publish with confirms: as the scenario says, else for a quorum queue. */
export function confirmsRequests(topology: ScenarioDefinition['topology']): boolean {
  return topology.confirmRequests ?? topology.queueType === 'quorum';
}

/**
 * Thrown by defineScenario. Told apart by its name, not by instanceof: a scenario file imports
 * the harness through its own module instance (see load-scenario-file.ts).
 */
export class InvalidScenarioError extends Error {
  override readonly name = 'InvalidScenarioError';
  constructor(
    scenario: string,
    readonly problems: readonly string[],
  ) {
    super(`scenario "${scenario}" is invalid:\n  - ${problems.join('\n  - ')}`);
  }
}

export function defineScenario(definition: ScenarioDefinition): ScenarioDefinition {
  const errors = validateScenario(definition);
  if (errors.length > 0) throw new InvalidScenarioError(definition.name, errors);
  return definition;
}

/** Every problem at once, each saying what was wrong. */
export function validateScenario(definition: ScenarioDefinition): string[] {
  const errors: string[] = [];
  const { topology } = definition;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(definition.name))
    errors.push(`name must be lower-case words joined by dashes, got "${definition.name}"`);
  for (const tag of definition.tags ?? []) {
    if (typeof tag !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(tag))
      errors.push(`tags must be lower-case words joined by dashes, got ${JSON.stringify(tag)}`);
  }
  if (!(Number.isInteger(topology.servers) && topology.servers >= 1 && topology.servers <= 32))
    errors.push(`servers must be an integer from 1 to 32, got ${topology.servers}`);
  if (!(Number.isInteger(topology.clients) && topology.clients >= 1 && topology.clients <= 32))
    errors.push(`clients must be an integer from 1 to 32, got ${topology.clients}`);
  if (!REPLY_MODES.includes(topology.replyMode))
    errors.push(`reply mode must be one of ${REPLY_MODES.join(', ')}, got "${topology.replyMode}"`);
  if (!(Number.isInteger(topology.prefetch) && topology.prefetch >= 1 && topology.prefetch <= 10_000))
    errors.push(`prefetch must be an integer from 1 to 10000, got ${topology.prefetch}`);
  if (topology.queueType !== undefined && !QUEUE_TYPES.includes(topology.queueType))
    errors.push(`queue type must be one of ${QUEUE_TYPES.join(', ')}, got "${String(topology.queueType)}"`);
  if (topology.nodes !== undefined && !(Number.isInteger(topology.nodes) && topology.nodes >= 1 && topology.nodes <= 9))
    errors.push(`nodes must be an integer from 1 to 9, got ${topology.nodes}`);
  if (topology.proxy !== undefined && !PROXY_USE_OPTIONS.includes(topology.proxy))
    errors.push(`topology.proxy must be one of ${PROXY_USE_OPTIONS.join(', ')}, got "${String(topology.proxy)}"`);
  const queueProblem = topology.queue === undefined ? undefined : validateQueueName(topology.queue);
  if (queueProblem) errors.push(queueProblem);
  if (!(definition.timeoutMs > 0 && definition.timeoutMs <= 600_000))
    errors.push(`timeout must be > 0 and at most 600000 ms, got ${definition.timeoutMs}`);
  if (
    definition.maxN !== undefined &&
    !(Number.isInteger(definition.maxN) && definition.maxN >= 0 && definition.maxN <= 10_000)
  )
    errors.push(`maxN must be an integer from 0 to 10000, got ${definition.maxN}`);
  if (definition.tracing && !(definition.tracing.sampleRatio >= 0 && definition.tracing.sampleRatio <= 1))
    errors.push(`trace sample ratio must be from 0 to 1, got ${definition.tracing.sampleRatio}`);
  if (
    definition.warmupCalls !== undefined &&
    !(Number.isInteger(definition.warmupCalls) && definition.warmupCalls >= 0 && definition.warmupCalls <= 100)
  )
    errors.push(`warm-up calls must be an integer from 0 to 100, got ${definition.warmupCalls}`);
  const heartbeat = heartbeatProblem(definition.heartbeatSeconds);
  if (heartbeat) errors.push(heartbeat);
  errors.push(...validateLoadOptions(definition.load));
  for (const [index, fault] of definition.faults.entries()) {
    // The ranges are checked only on a fault whose shape is right: they read its fields.
    const shape = faultShapeProblems(fault, index);
    errors.push(
      ...(shape.length > 0
        ? shape
        : [
            ...validateFault(fault, topology.servers),
            ...validateNodeFault(fault, topology.nodes ?? 1),
            ...(isBrokerFault(fault) ? validateBrokerFault(fault, topology.nodes ?? 1) : []),
          ]),
    );
  }
  errors.push(...recoveryTailProblems(definition));
  errors.push(...validateImplementations(definition));
  return errors;
}

/** What an external implementation cannot do, said before any process starts. */
function validateImplementations(definition: ScenarioDefinition): string[] {
  const server = definition.implementations?.server;
  const client = definition.implementations?.client;
  const errors = [...validateImplementationSpec('server', server), ...validateImplementationSpec('client', client)];
  if (client && definition.topology.confirmRequests === true) {
    errors.push(
      'confirmRequests makes the built-in client publish with publisher confirms; ' +
        'an external client publishes as it likes: ' +
        'run this scenario with the built-in client, or without confirmRequests',
    );
  }
  if (server && definition.faults.some((fault) => fault.kind === 'servers-stop-replying')) {
    errors.push(
      'servers-stop-replying tells the servers to withhold their replies, which only the built-in server can be ' +
        'told: run this scenario with the built-in server (an external client with --client-cmd is fine)',
    );
  }
  if (client && (definition.badInputEvery ?? 0) > 0) {
    errors.push(
      'badInputEvery sends malformed request bodies, which the client line protocol cannot ask for: ' +
        'run this scenario with the built-in client',
    );
  }
  if (client) {
    // Each call in flight gets an n of its own (n >= 2), so a result names the call it answers.
    const maxN = definition.maxN ?? 90;
    const maxInFlight =
      definition.load.executor === 'constant-arrival-rate' ? definition.load.maxInFlight : definition.load.concurrency;
    if (maxN < maxInFlight + 2) {
      errors.push(
        `an external client needs a distinct n for each call in flight: ` +
          `maxN (${maxN}) must be >= calls in flight (${maxInFlight}) + 2; ` +
          `raise maxN or lower ${definition.load.executor === 'constant-arrival-rate' ? 'maxInFlight' : 'concurrency'}`,
      );
    }
  }
  return errors;
}
