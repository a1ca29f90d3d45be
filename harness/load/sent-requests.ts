import { CallIdSet, type EncodedCallIds } from '../observe/call-id-set.ts';
import type { RpcCallError } from '../rpc/errors.ts';

/** What a client reports about the requests it sent, for the request-accounting check. */
export interface EncodedSentRequests {
  /** Requests handed to the broker (published), whatever became of their calls. */
  readonly published: EncodedCallIds;
  /** Published requests whose call failed because its connection was lost: the request may have died with it. */
  readonly connectionLost: EncodedCallIds;
  /** Published requests the broker returned as unroutable (no request queue at that moment). */
  readonly returnedUnroutable: EncodedCallIds;
}

/** Call outcomes after which the request is known not to have been published. */
const NEVER_PUBLISHED: ReadonlySet<RpcCallError['reason']> = new Set(['in-flight-limit', 'not-connected', 'closed']);

/**
 * The ids of the requests one client published, from how each call ended, so the run can
 * compare them with what the servers handled.
 */
export class SentRequests {
  private readonly published = new CallIdSet();
  private readonly connectionLost = new CallIdSet();
  private readonly returnedUnroutable = new CallIdSet();

  answered(correlationId: string): void {
    this.published.add(correlationId);
  }

  failed(error: RpcCallError): void {
    if (NEVER_PUBLISHED.has(error.reason)) return;
    this.published.add(error.correlationId);
    if (error.reason === 'connection-lost') this.connectionLost.add(error.correlationId);
  }

  returned(correlationId: string): void {
    this.returnedUnroutable.add(correlationId);
  }

  encode(): EncodedSentRequests {
    return { published: this.published.encode(), connectionLost: this.connectionLost.encode(), returnedUnroutable: this.returnedUnroutable.encode() };
  }
}
