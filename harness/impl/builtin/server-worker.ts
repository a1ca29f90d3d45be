/**
 * A fib RPC server as its own process, driven by the scenario runner over IPC. It can be
 * told to SIGKILL itself at a fault point of its k-th request: a real process death at the
 * exact place the tutorial warns about (after the reply, before the ack).
 */
import { CallIdSet } from '../../observe/call-id-set.ts';
import { FibRpcServer, type FaultPointContext } from '../../rpc/fib-rpc-server.ts';
import type { WorkerChannel } from './worker-channel.ts';
import type { ServerTally } from '../instance-report.ts';
import type { ServerWorkerConfig } from './worker-protocol.ts';

const PROGRESS_EVERY_MS = 200;

export async function runServerWorker(config: ServerWorkerConfig, channel: WorkerChannel): Promise<void> {
  const observation = await channel.startObservation(config.name, config.tracing);
  const queueWait = observation.newRecorder(config.runStartEpochMs);
  const service = observation.newRecorder(config.runStartEpochMs);
  const requestsAtFaultPoint = { beforeReply: 0, afterReplyBeforeAck: 0 };
  // Requests handled since the last message to the parent, which keeps the union of all servers'.
  const handledSinceLastReport = new CallIdSet();
  const takeHandled = () => {
    const encoded = handledSinceLastReport.encode();
    handledSinceLastReport.clear();
    return encoded;
  };

  // Counts requests at the fault point and returns a promise only for the one that dies there,
  // so every other request goes through the server's synchronous path.
  const countAndMaybeDie = (
    point: 'beforeReply' | 'afterReplyBeforeAck',
    context: FaultPointContext,
  ): Promise<void> | undefined => {
    requestsAtFaultPoint[point]++;
    if (!config.killAt || config.killAt.point !== point || requestsAtFaultPoint[point] !== config.killAt.request)
      return undefined;
    return dieAt(point, context);
  };
  const dieAt = async (point: 'beforeReply' | 'afterReplyBeforeAck', context: FaultPointContext) => {
    context.failSpan(`process killed at ${point}`);
    // Flush what was measured and traced, then die for real: no ack will ever be sent.
    await observation.flush();
    await channel.sendAndFlush({ type: 'progress', server: tally(), handledCallIds: takeHandled() });
    await channel.sendAndFlush({
      type: 'fault-point',
      point,
      request: requestsAtFaultPoint[point],
      correlationId: context.correlationId,
      atMs: Date.now(),
    });
    process.kill(process.pid, 'SIGKILL');
  };

  const server = new FibRpcServer({
    amqpUrl: config.amqpUrl,
    queue: config.queue,
    prefetch: config.prefetch,
    confirmReplies: config.confirmReplies,
    queueType: config.queueType,
    // Only the fault point this server dies at gets a hook: requests elsewhere pay nothing for it.
    faultPoints: config.killAt
      ? { [config.killAt.point]: (context: FaultPointContext) => countAndMaybeDie(config.killAt!.point, context) }
      : undefined,
    onEvent: (event) => {
      if ((event.kind === 'handled' || event.kind === 'bad-request') && event.correlationId !== undefined)
        handledSinceLastReport.add(event.correlationId);
      if (event.kind === 'handled') {
        if (event.queueWaitUs !== undefined) queueWait.record(event.queueWaitUs);
        service.record(event.serviceUs);
        if (event.redelivered)
          channel.event({
            atMs: Date.now(),
            kind: 'redelivery',
            correlationId: event.correlationId,
            detail: `redelivered request n=${event.n} answered again`,
          });
      } else if (event.kind === 'bad-request') {
        channel.event({
          atMs: Date.now(),
          kind: 'note',
          correlationId: event.correlationId,
          detail: `bad request: ${event.error}`,
        });
      } else if (event.kind === 'reply-failed') {
        channel.event({
          atMs: Date.now(),
          kind: 'error',
          correlationId: event.correlationId,
          detail: `reply failed: ${event.error}`,
        });
      } else if (event.kind === 'disconnected') {
        channel.event({ atMs: Date.now(), kind: 'connection-lost', detail: event.error });
      } else if (event.kind === 'connected' && server.counters.reconnects > 0) {
        channel.event({ atMs: Date.now(), kind: 'reconnect', detail: 'server reconnected' });
      }
    },
  });
  const tally = (): ServerTally => ({ ...server.counters });

  await server.start();
  channel.send({ type: 'ready' });
  const progress = setInterval(
    () => channel.send({ type: 'progress', server: tally(), handledCallIds: takeHandled() }),
    PROGRESS_EVERY_MS,
  );
  await channel.stopRequested();
  clearInterval(progress);
  await server.stop();
  await observation.flush();
  await channel.sendAndFlush({
    type: 'final',
    server: tally(),
    handledCallIds: takeHandled(),
    queueWait: queueWait.encode(),
    service: service.encode(),
  });
  await observation.shutdown();
}
