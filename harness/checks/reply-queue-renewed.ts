/**
 * The reply-queue-lost scenario's check. A client's exclusive, auto-delete callback queue dies
 * with its connection; replies addressed to it are dropped by the broker. The calls waiting for
 * them must end by timeout or error, never by another call's reply, and once the client is
 * connected again it must consume a callback queue that exists: a client that keeps sending
 * reply_to = the old name gets no reply again, and every later call times out.
 */
import type { Check, CheckInput } from '../model/check.ts';
import type { FaultRecord } from '../model/result-schema.ts';

/** Share of the calls a client started after it reconnected that must succeed. */
export const MIN_SUCCESS_AFTER_RECONNECT = 0.9;

/** One client after the cut of its connection, as the check judges it. */
export interface ClientAfterCut {
  readonly process: string;
  readonly cutMs: number;
  /** Its first connection after the cut; undefined: it never reconnected. */
  readonly reconnectMs: number | undefined;
  /** Calls whose intended start fell in an interval that began after the reconnect. */
  readonly after: { readonly fromMs: number; readonly succeeded: number; readonly failed: number };
  /** Failed calls the timeline holds from the cut to one timeout after it, by how they ended. */
  readonly failedAtCut: { readonly timedOut: number; readonly errored: number };
}

/** The first fired fault that cut the clients' connections (closed, or took their proxy down). */
function clientsCut(faults: readonly FaultRecord[]): FaultRecord | undefined {
  return faults.find(
    (fault) =>
      fault.fired &&
      fault.startMs !== undefined &&
      fault.target === 'proxy clients' &&
      (fault.kind === 'close-connections' || fault.kind === 'disable-proxy'),
  );
}

export function clientsAfterCut(
  input: Pick<CheckInput, 'faults' | 'staleReplyClients' | 'timeline'>,
  timeoutMs: number,
): ClientAfterCut[] | undefined {
  const cut = clientsCut(input.faults);
  if (!cut || cut.startMs === undefined || !input.staleReplyClients || !input.timeline) return undefined;
  const cutMs = cut.startMs;
  const timeline = input.timeline;
  return input.staleReplyClients.map((client) => {
    const own = timeline.filter((event) => event.process === client.process && event.tMs >= cutMs);
    const reconnectMs = own.find((event) => event.kind === 'reconnect')?.tMs;
    const untilMs = cutMs + timeoutMs;
    const atCut = own.filter((event) => event.tMs <= untilMs);
    const failedAtCut = {
      timedOut: atCut.filter((event) => event.kind === 'timeout').length,
      // Failed calls only: a connection-lost event is the connection's, not a call's.
      errored: atCut.filter((event) => event.kind === 'error').length,
    };
    const fromMs =
      reconnectMs === undefined
        ? Number.POSITIVE_INFINITY
        : Math.ceil(reconnectMs / client.intervalMs) * client.intervalMs;
    const later = (client.calls ?? []).filter((interval) => interval.tMs >= fromMs);
    const after = {
      fromMs,
      succeeded: later.reduce((sum, interval) => sum + interval.succeeded, 0),
      failed: later.reduce((sum, interval) => sum + interval.failed, 0),
    };
    return { process: client.process, cutMs, reconnectMs, after, failedAtCut };
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function judge(client: ClientAfterCut): { passed: boolean; text: string } {
  const cut = `${client.process}: connection cut at ${seconds(client.cutMs)}`;
  const atCut =
    `calls failed within a timeout of the cut: ${client.failedAtCut.timedOut} timed out, ` +
    `${client.failedAtCut.errored} errored`;
  if (client.reconnectMs === undefined) return { passed: false, text: `${cut}, never reconnected; ${atCut}` };
  const { succeeded, failed, fromMs } = client.after;
  const total = succeeded + failed;
  const share = total === 0 ? 0 : succeeded / total;
  const passed = total > 0 && share >= MIN_SUCCESS_AFTER_RECONNECT;
  return {
    passed,
    text:
      `${cut}, reconnected at ${seconds(client.reconnectMs)}; ${atCut}; of the calls it started from ` +
      `${seconds(fromMs)}, ${succeeded} of ${total} succeeded (${Math.round(share * 100)} %)` +
      (passed || total === 0
        ? ''
        : ': replies to them never arrived (sent to a callback queue that no longer exists?)'),
  };
}

export function replyQueueRenewed(timeoutMs: number): Check {
  return {
    id: 'reply-queue-renewed',
    title: "Calls waiting at a client's cut ended by timeout or error, and its calls after reconnecting succeeded",
    expectation:
      "no call resolved by another call's reply; each client reconnected and at least " +
      `${MIN_SUCCESS_AFTER_RECONNECT * 100} % of the calls it started after that succeeded`,
    evaluate: (input) => {
      const clients = clientsAfterCut(input, timeoutMs);
      if (clients === undefined) return { passed: true, actual: "not judged: no cut of the clients' connections" };
      const judged = clients.map(judge);
      const crossed = input.counters.mismatchedCorrelation;
      const passed = crossed === 0 && judged.every((client) => client.passed);
      return {
        passed,
        actual: `${judged.map((client) => client.text).join('; ')}; calls resolved by another call's reply ${crossed}`,
      };
    },
  };
}
