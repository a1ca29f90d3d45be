/**
 * Faults of the broker itself, short of a restart: its memory alarm, and its request queue
 * deleted under the servers' consumers. Both act on a broker the harness can reach as an
 * operator would (rabbitmqctl on its own private node, a queue.delete on an AMQP connection).
 */
import type { TimelineEvent } from '../model/result-schema.ts';
import type { Trigger } from './fault-trigger.ts';

export type BrokerFaultSpec =
  /**
   * Raise the broker's memory alarm for `durationMs` (`rabbitmqctl set_vm_memory_high_watermark 0`),
   * then set the watermark it had before. The broker blocks every connection that publishes
   * (`connection.blocked`) until the alarm clears. A single private node only.
   */
  | { readonly kind: 'memory-alarm'; readonly trigger: Trigger; readonly durationMs: number }
  /**
   * Delete the request queue once no request waits in it (queue.delete if-empty, retried for up to
   * 2 s, then whatever it holds), so the deletion itself loses no request; the broker cancels its
   * consumers with `basic.cancel`. Then declare
   * it again with the servers' arguments `redeclareAfterMs` later. Requests published while it is
   * gone are returned unroutable (they go out `mandatory`).
   */
  | { readonly kind: 'delete-request-queue'; readonly trigger: Trigger; readonly redeclareAfterMs: number };

export const BROKER_FAULT_KINDS: ReadonlySet<string> = new Set(['memory-alarm', 'delete-request-queue']);

export function isBrokerFault(fault: { readonly kind: string }): fault is BrokerFaultSpec {
  return BROKER_FAULT_KINDS.has(fault.kind);
}

export function describeBrokerFault(fault: BrokerFaultSpec): { target: string; description: string } {
  switch (fault.kind) {
    case 'memory-alarm':
      return {
        target: 'broker',
        description: `memory alarm on the broker for ${fault.durationMs} ms (publishing connections blocked)`,
      };
    case 'delete-request-queue':
      return {
        target: 'request queue',
        description: `delete the request queue, declare it again ${fault.redeclareAfterMs} ms later`,
      };
  }
}

/** Range problems of a broker fault whose shape is right (fault-schema.ts checks the shape). */
export function validateBrokerFault(fault: BrokerFaultSpec, nodes: number): string[] {
  const where = describeBrokerFault(fault).description;
  const errors: string[] = [];
  // durationMs > 0 is validateFault's, as for every fault with a duration.
  if (fault.kind === 'memory-alarm' && nodes > 1)
    errors.push(`fault "${where}" runs on a single private node: leave out topology.nodes (or --nodes)`);
  if (fault.kind === 'delete-request-queue' && !(fault.redeclareAfterMs >= 0))
    errors.push(`fault "${where}": redeclareAfterMs must be >= 0`);
  return errors;
}

/** What broker faults act on; the runner provides it. */
export interface BrokerFaultTargets {
  /** rabbitmqctl against the run's private node; absent for a broker the harness does not own. */
  readonly rabbitmqctl?: (args: readonly string[]) => Promise<string>;
  /** Deletes the request queue once it holds no ready request (bounded); resolves with the requests deleted with it. */
  deleteRequestQueue(): Promise<number>;
  declareRequestQueue(): Promise<void>;
}

export interface BrokerFaultContext {
  readonly broker: BrokerFaultTargets | undefined;
  record(event: Omit<TimelineEvent, 'tMs'> & { tMs?: number }): void;
  /** Ends the fault after `durationMs` with `close` (or at the run's end, whichever is first). */
  openWindow(durationMs: number, close: () => Promise<void>): void;
}

export async function executeBrokerFault(spec: BrokerFaultSpec, context: BrokerFaultContext): Promise<void> {
  const broker = context.broker;
  if (!broker) throw new Error('this run has no broker the harness can act on');
  switch (spec.kind) {
    case 'memory-alarm': {
      const rabbitmqctl = broker.rabbitmqctl;
      if (!rabbitmqctl)
        throw new Error('a memory alarm needs a private node the harness started (--broker local), not this broker');
      const previous = parseWatermark(await rabbitmqctl(['eval', 'vm_memory_monitor:get_vm_memory_high_watermark().']));
      await rabbitmqctl(['set_vm_memory_high_watermark', '0']);
      context.record({ kind: 'note', process: 'broker', detail: 'memory high watermark set to 0: alarm raised' });
      context.openWindow(spec.durationMs, async () => {
        await rabbitmqctl(watermarkArgs(previous));
        context.record({
          kind: 'note',
          process: 'broker',
          detail: `memory high watermark restored to ${describeWatermark(previous)}: alarm cleared`,
        });
      });
      return;
    }
    case 'delete-request-queue': {
      const deletedWith = await broker.deleteRequestQueue();
      context.record({
        kind: 'note',
        process: 'broker',
        detail:
          deletedWith === 0
            ? 'request queue deleted'
            : `request queue deleted with ${deletedWith} ready requests in it (it did not empty within the bound)`,
      });
      context.openWindow(spec.redeclareAfterMs, async () => {
        await broker.declareRequestQueue();
        context.record({ kind: 'note', process: 'broker', detail: 'request queue declared again' });
      });
      return;
    }
  }
}

/** A node's memory watermark: a fraction of the machine's memory, or an absolute number of bytes. */
export type Watermark = { readonly relative: number } | { readonly absoluteBytes: number };

/** Reads `vm_memory_monitor:get_vm_memory_high_watermark()` as rabbitmqctl eval prints it: `0.4` or `{absolute,N}`. */
export function parseWatermark(output: string): Watermark {
  const text = output.trim();
  const absolute = /^\{absolute,\s*(\d+)\}$/.exec(text);
  if (absolute) return { absoluteBytes: Number(absolute[1]) };
  const relative = Number(text);
  if (text !== '' && Number.isFinite(relative) && relative >= 0) return { relative };
  throw new Error(`cannot read the node's memory high watermark from "${text.slice(0, 80)}"`);
}

export function watermarkArgs(watermark: Watermark): string[] {
  return 'relative' in watermark
    ? ['set_vm_memory_high_watermark', String(watermark.relative)]
    : ['set_vm_memory_high_watermark', 'absolute', String(watermark.absoluteBytes)];
}

function describeWatermark(watermark: Watermark): string {
  return 'relative' in watermark ? String(watermark.relative) : `${watermark.absoluteBytes} bytes`;
}
