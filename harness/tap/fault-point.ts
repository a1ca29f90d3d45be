import type { FaultPointName, TapDelivery, TapHold, TapPublish } from './tap-events.ts';

export interface FaultPointOptions {
  readonly point: FaultPointName;
  /**
   * k, from 1: the k-th request delivery (`beforeReply`) or the k-th reply publish
   * (`afterReplyBeforeAck`) that passes the tap after `armFaultPoint`. Arm before the
   * implementation instance starts and k counts per instance, as the in-process hook does.
   */
  readonly request: number;
  /**
   * Called once the connection is held: for `afterReplyBeforeAck` after the k-th reply has been
   * written whole to the upstream socket. Kill the process here (SIGKILL its process group);
   * when it resolves the tap closes the connection and drops the bytes it held.
   */
  readonly onHeld: (hold: TapHold) => void | Promise<void>;
}

export function validateFaultPoint(options: FaultPointOptions): string[] {
  const errors: string[] = [];
  if (options.point !== 'beforeReply' && options.point !== 'afterReplyBeforeAck') {
    errors.push(`point must be "beforeReply" or "afterReplyBeforeAck", got ${JSON.stringify(options.point)}`);
  }
  if (!Number.isInteger(options.request) || options.request < 1)
    errors.push(`request must be an integer >= 1 (the k-th request, from 1), got ${options.request}`);
  if (typeof options.onHeld !== 'function')
    errors.push('onHeld must be a function that kills the implementation process');
  return errors;
}

/** The request a `beforeReply` fault point waits to stop the reply of. */
interface BeforeReplyTarget {
  readonly connection: number;
  readonly channel: number;
  readonly deliveryTag: number;
  readonly correlationId: string | undefined;
}

/**
 * One armed fault point: counts the protocol steps it is about and says when to hold.
 *
 * - `afterReplyBeforeAck`, request k: hold right after the last frame of the k-th
 *   `basic.publish`; what the implementation sends next (its ack) never reaches the broker.
 * - `beforeReply`, request k: the k-th `basic.deliver` becomes the target; hold before the
 *   first frame that would answer or settle it: the content header of a publish with the
 *   target's correlation id (any connection of the tap; without a correlation id, the next
 *   publish on the target's connection), or an ack/nack/reject covering its delivery tag.
 *   Replies and acks of other requests pass, as they do when the in-process hook fires in
 *   the handler of request k.
 */
export class ArmedFaultPoint {
  private seen = 0;
  private target: BeforeReplyTarget | undefined;
  private fired = false;

  constructor(readonly options: FaultPointOptions) {}

  get hasFired(): boolean {
    return this.fired;
  }

  delivered(delivery: TapDelivery): void {
    if (this.options.point !== 'beforeReply' || this.target || this.fired) return;
    if (++this.seen === this.options.request) {
      this.target = {
        connection: delivery.connection,
        channel: delivery.channel,
        deliveryTag: delivery.deliveryTag,
        correlationId: delivery.correlationId,
      };
    }
  }

  publishing(connection: number, channel: number, correlationId: string | undefined): TapHold | undefined {
    const target = this.target;
    if (!target || this.fired) return undefined;
    const answersTarget =
      target.correlationId !== undefined ? correlationId === target.correlationId : connection === target.connection;
    return answersTarget ? this.fire(connection, channel, target.correlationId) : undefined;
  }

  settling(connection: number, channel: number, deliveryTag: number, multiple: boolean): TapHold | undefined {
    const target = this.target;
    if (!target || this.fired || connection !== target.connection || channel !== target.channel) return undefined;
    const covers =
      deliveryTag === target.deliveryTag || (multiple && (deliveryTag === 0 || deliveryTag > target.deliveryTag));
    return covers ? this.fire(connection, channel, target.correlationId) : undefined;
  }

  published(publish: TapPublish): TapHold | undefined {
    if (this.options.point !== 'afterReplyBeforeAck' || this.fired) return undefined;
    if (++this.seen !== this.options.request) return undefined;
    return this.fire(publish.connection, publish.channel, publish.correlationId);
  }

  private fire(connection: number, channel: number, correlationId: string | undefined): TapHold {
    this.fired = true;
    return {
      point: this.options.point,
      request: this.options.request,
      connection,
      channel,
      correlationId,
      atMs: Date.now(),
    };
  }
}
