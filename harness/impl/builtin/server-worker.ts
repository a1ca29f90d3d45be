/**
 * A fib RPC server as its own process, driven by the scenario runner over IPC. It can be
 * told to SIGKILL itself at a fault point of its k-th request: a real process death at the
 * exact place the tutorial warns about (after the reply, before the ack).
 */
import { withHeartbeat } from '../../rpc/heartbeat-url.ts';
import { CallIdSet } from '../../observe/call-id-set.ts';
import { type FaultPointContext, FibRpcServer, type ServerEvent } from '../../rpc/fib-rpc-server.ts';
import type { ServerTally } from '../instance-report.ts';
import type { WorkerChannel } from './worker-channel.ts';
import type { WorkerRecorder } from './worker-observation.ts';
import type { ServerWorkerConfig } from './worker-protocol.ts';

const PROGRESS_EVERY_MS = 200;

type FaultPointName = 'beforeReply' | 'afterReplyBeforeAck';

export async function runServerWorker(config: ServerWorkerConfig, channel: WorkerChannel): Promise<void> {
  const observation = await channel.startObservation(config.name, config.tracing);
  const recorders = {
    queueWait: observation.newRecorder(config.runStartEpochMs),
    service: observation.newRecorder(config.runStartEpochMs),
  };
  // Requests handled since the last message to the parent, which keeps the union of all servers'.
  const handledSinceLastReport = new CallIdSet();
  const takeHandled = () => {
    const encoded = handledSinceLastReport.encode();
    handledSinceLastReport.clear();
    return encoded;
  };
  const report = () => ({ server: tally(), handledCallIds: takeHandled() });
  const dieAt = async (point: FaultPointName, request: number, context: FaultPointContext) => {
    context.failSpan(`process killed at ${point}`);
    // Flush what was measured and traced, then die for real: no ack will ever be sent.
    await observation.flush();
    await channel.sendAndFlush({ type: 'progress', ...report() });
    const atMs = Date.now();
    await channel.sendAndFlush({ type: 'fault-point', point, request, correlationId: context.correlationId, atMs });
    process.kill(process.pid, 'SIGKILL');
  };

  const server: FibRpcServer = new FibRpcServer({
    amqpUrl: withHeartbeat(config.amqpUrl, config.heartbeatSeconds),
    amqpUrls: config.amqpUrls?.map((url) => withHeartbeat(url, config.heartbeatSeconds)),
    queue: config.queue,
    prefetch: config.prefetch,
    confirmReplies: config.confirmReplies,
    queueType: config.queueType,
    faultPoints: faultPointHook(config, dieAt),
    onEvent: (event) => {
      if ((event.kind === 'handled' || event.kind === 'bad-request') && event.correlationId !== undefined)
        handledSinceLastReport.add(event.correlationId);
      recordServerEvent(event, recorders, channel, server);
    },
  });
  const tally = (): ServerTally => ({ ...server.counters });
  const withholdReplies = (withhold: boolean) => {
    if (server.repliesWithheld === withhold) return;
    server.repliesWithheld = withhold;
    channel.event({
      atMs: Date.now(),
      kind: 'note',
      detail: withhold ? 'replies withheld: consuming and acking requests only' : 'replying again',
    });
  };
  channel.whenTold(withholdReplies);
  if (config.withholdReplies) withholdReplies(true);

  await server.start();
  channel.send({ type: 'ready' });
  const progress = setInterval(() => channel.send({ type: 'progress', ...report() }), PROGRESS_EVERY_MS);
  await channel.stopRequested();
  clearInterval(progress);
  await server.stop();
  await observation.flush();
  const { queueWait, service } = recorders;
  await channel.sendAndFlush({ type: 'final', ...report(), queueWait: queueWait.encode(), service: service.encode() });
  await observation.shutdown();
}

/**
 * Only the fault point this server dies at gets a hook, so requests elsewhere pay nothing for it.
 * The hook counts requests there and returns a promise only for the one that dies, so every
 * other request goes through the server's synchronous path.
 */
function faultPointHook(
  config: ServerWorkerConfig,
  dieAt: (point: FaultPointName, request: number, context: FaultPointContext) => Promise<void>,
): Partial<Record<FaultPointName, (context: FaultPointContext) => Promise<void> | undefined>> | undefined {
  const killAt = config.killAt;
  if (!killAt) return undefined;
  let requestsAtFaultPoint = 0;
  return {
    [killAt.point]: (context: FaultPointContext) => {
      requestsAtFaultPoint++;
      return requestsAtFaultPoint === killAt.request ? dieAt(killAt.point, requestsAtFaultPoint, context) : undefined;
    },
  };
}

/** Latency of handled requests, and the events the parent's timeline shows. */
function recordServerEvent(
  event: ServerEvent,
  recorders: { readonly queueWait: WorkerRecorder; readonly service: WorkerRecorder },
  channel: WorkerChannel,
  server: FibRpcServer,
): void {
  const atMs = Date.now();
  const { correlationId } = event as { correlationId?: string };
  switch (event.kind) {
    case 'handled':
      if (event.queueWaitUs !== undefined) recorders.queueWait.record(event.queueWaitUs);
      recorders.service.record(event.serviceUs);
      if (event.redelivered)
        channel.event({
          atMs,
          kind: 'redelivery',
          correlationId,
          detail: `redelivered request n=${event.n} answered again`,
        });
      return;
    case 'bad-request':
      channel.event({ atMs, kind: 'note', correlationId, detail: `bad request: ${event.error}` });
      return;
    case 'reply-failed':
      channel.event({ atMs, kind: 'error', correlationId, detail: `reply failed: ${event.error}` });
      return;
    case 'disconnected':
      channel.event({ atMs, kind: 'connection-lost', detail: event.error });
      return;
    case 'connected':
      if (server.counters.reconnects > 0)
        channel.event({ atMs, kind: 'reconnect', detail: `server reconnected to ${event.address}` });
      return;
    case 'consumer-cancelled':
      channel.event({ atMs, kind: 'consumer-cancelled', detail: 'consumer cancelled by the broker (basic.cancel)' });
      return;
    case 'consuming-again':
      channel.event({ atMs, kind: 'note', detail: `consuming the request queue again (attempt ${event.attempts})` });
      return;
    case 'consume-again-failed':
      channel.event({
        atMs,
        kind: 'error',
        detail: `could not consume the request queue again after ${event.attempts} attempts: ${event.error}`,
      });
      return;
    case 'blocked':
      channel.event({ atMs, kind: 'connection-blocked', detail: `blocked by the broker: ${event.reason}` });
      return;
    case 'unblocked':
      channel.event({ atMs, kind: 'connection-unblocked', detail: 'unblocked by the broker' });
      return;
  }
}
