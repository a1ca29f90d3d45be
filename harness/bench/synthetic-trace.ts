import type { TraceSpan } from '../model/result-schema.ts';

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/**
 * The six spans of one duplicate reply, as the tracing of a real run records them: the
 * client's publish; server-1 processes, replies and is killed before its ack (its process
 * span ends in error when the channel dies); the broker redelivers to server-2, which
 * answers again; the client discards that second reply.
 */
export function duplicateReplyTrace(killAtMs: number): TraceSpan[] {
  const correlationId = `c.${killAtMs}`;
  const span = (
    spanId: string,
    parentSpanId: string | undefined,
    name: string,
    kind: string,
    process: string,
    startMs: number,
    durationMs: number,
    extra: Partial<TraceSpan> = {},
  ): TraceSpan => ({
    traceId: TRACE_ID,
    spanId,
    parentSpanId,
    name,
    kind,
    process,
    startMs,
    durationMs,
    status: 'ok',
    events: [],
    attributes: {
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': 'rpc_queue',
      'messaging.message.conversation_id': correlationId,
    },
    ...extra,
  });
  const t0 = killAtMs - 2;
  return [
    span('00f067aa0ba902b7', undefined, 'rpc_queue publish', 'PRODUCER', 'client-1', t0, 0.4),
    span('1a2b3c4d5e6f7081', '00f067aa0ba902b7', 'rpc_queue process', 'CONSUMER', 'server-1', t0 + 0.5, 1.6, {
      status: 'error',
      statusMessage: 'killed before ack',
      events: [
        { name: 'reply published', tMs: t0 + 1.2 },
        { name: 'fault point afterReplyBeforeAck', tMs: t0 + 1.3 },
      ],
      attributes: {
        'messaging.destination.name': 'rpc_queue',
        'messaging.message.conversation_id': correlationId,
        'rpc.fib.n': 42,
      },
    }),
    span('2b3c4d5e6f708192', '1a2b3c4d5e6f7081', 'fib compute', 'INTERNAL', 'server-1', t0 + 0.6, 0.5, {
      attributes: { 'rpc.fib.n': 42 },
    }),
    span('3c4d5e6f708192a3', '00f067aa0ba902b7', 'rpc_queue process', 'CONSUMER', 'server-2', t0 + 5.2, 1.2, {
      events: [{ name: 'ack', tMs: t0 + 6.3 }],
      attributes: {
        'messaging.destination.name': 'rpc_queue',
        'messaging.message.conversation_id': correlationId,
        'messaging.rabbitmq.redelivered': true,
        'rpc.fib.n': 42,
      },
    }),
    span('4d5e6f708192a3b4', '3c4d5e6f708192a3', 'fib compute', 'INTERNAL', 'server-2', t0 + 5.3, 0.5, {
      attributes: { 'rpc.fib.n': 42 },
    }),
    span('5e6f708192a3b4c5', '00f067aa0ba902b7', 'rpc reply discarded', 'CONSUMER', 'client-1', t0 + 7.9, 0.1, {
      attributes: { 'messaging.message.conversation_id': correlationId, 'rpc.discard.kind': 'duplicate' },
    }),
  ];
}
