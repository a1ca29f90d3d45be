/**
 * What an external client's frame tap tells about its requests and its connections, beyond
 * the replies: which calls it really published (a request's body is the call's n), the reply
 * mode its requests asked for (`reply_to`), and the connections it lost and re-established.
 */
import type { ReplyModeCounts } from '../../model/tap-observations.ts';
import { DIRECT_REPLY_TO } from '../../rpc/fib-rpc-client.ts';
import type { StartedAmqpFrameTap } from '../../tap/amqp-frame-tap.ts';
import { type ConnectionChange, ConnectionHistory } from '../../tap/connection-history.ts';

/** Request bodies longer than this are no call's n. */
const MAX_N_DIGITS = 16;

export class ClientRequestsSeen {
  readonly connections = new ConnectionHistory();
  readonly replyModes: ReplyModeCounts = { directReplyTo: 0, callbackQueue: 0 };
  /** Calls in flight by their n: how the tap's publishes name them. */
  private readonly inFlightByN = new Map<number, { published: boolean }>();
  /** Publishes matched to a call: zero means this client's requests are not the tutorial's body n. */
  private publishesMatched = 0;

  constructor(
    private readonly tap: StartedAmqpFrameTap,
    onConnectionChange: (change: ConnectionChange) => void,
  ) {
    this.connections.follow(tap, onConnectionChange);
    tap.on('publish', (request) => {
      this.matchCall(request.body);
      if (request.replyTo === undefined) return;
      if (request.replyTo.startsWith(DIRECT_REPLY_TO)) this.replyModes.directReplyTo++;
      else this.replyModes.callbackQueue++;
    });
  }

  /** The harness wrote a call asking fib(n); no other call in flight has this n. */
  callWritten(n: number): void {
    this.inFlightByN.set(n, { published: false });
  }

  /** The tap can tell that the request of the call in flight with this n was never published. */
  neverPublished(n: number): boolean {
    const call = this.inFlightByN.get(n);
    // Judged only where the tap sees this client's requests: some matched, every connection decoded.
    const seesRequests = this.publishesMatched > 0 && this.tap.counters.undecodedConnections === 0;
    return call !== undefined && !call.published && seesRequests;
  }

  /** The call with this n ended. */
  callEnded(n: number): void {
    this.inFlightByN.delete(n);
  }

  private matchCall(body: Buffer | undefined): void {
    if (body === undefined || body.length > MAX_N_DIGITS) return;
    const call = this.inFlightByN.get(Number(body.toString()));
    if (!call || call.published) return;
    call.published = true;
    this.publishesMatched++;
  }
}
