import { describe, expect, it } from 'vitest';
import { loadAmqpCodec, type ParsedFrame } from './amqp-codec.ts';
import { AmqpObserver, Cut, type ProtocolSteps } from './amqp-observer.ts';
import type { TapBrokerNotice } from './tap-events.ts';

/** connection.blocked / unblocked and basic.cancel, encoded by amqplib as a broker sends them, read by the observer. */
describe("the frame tap's broker notices", () => {
  const codec = loadAmqpCodec();
  const frame = (id: number, channel: number, fields: Record<string, unknown>): ParsedFrame => {
    const parsed = codec.parseFrame(codec.encodeMethod(id, channel, fields), 0);
    if (parsed === false) throw new Error('frame did not parse');
    return parsed;
  };
  const observe = () => {
    const notices: TapBrokerNotice[] = [];
    const steps: ProtocolSteps = {
      delivered: () => undefined,
      connectionOpened: () => undefined,
      connectionClosing: () => undefined,
      publishing: () => Cut.Continue,
      published: () => Cut.Continue,
      settling: () => Cut.Continue,
      acked: () => undefined,
      nacked: () => undefined,
      confirmed: () => undefined,
      consumed: () => undefined,
      consumeOk: () => undefined,
      brokerNotice: (notice) => void notices.push(notice),
      heartbeat: () => undefined,
    };
    return { observer: new AmqpObserver(4, steps, 1024), notices };
  };

  it('reports connection.blocked with its reason, then connection.unblocked', () => {
    const { observer, notices } = observe();
    observer.fromBroker(frame(codec.method.ConnectionBlocked, 0, { reason: 'low on memory' }));
    observer.fromBroker(frame(codec.method.ConnectionUnblocked, 0, {}));
    expect(notices.map(({ atMs: _atMs, ...notice }) => notice)).toEqual([
      { kind: 'connection-blocked', connection: 4, channel: 0, reason: 'low on memory' },
      { kind: 'connection-unblocked', connection: 4, channel: 0 },
    ]);
  });

  it('reports basic.cancel with the queue the cancelled consumer consumed, as the tap saw its consume', () => {
    const { observer, notices } = observe();
    observer.fromClient(
      frame(codec.method.BasicConsume, 1, {
        ticket: 0,
        queue: 'rpc_queue',
        consumerTag: '',
        noLocal: false,
        noAck: false,
        exclusive: false,
        nowait: false,
        arguments: {},
      }),
    );
    observer.fromBroker(frame(codec.method.BasicConsumeOk, 1, { consumerTag: 'ctag-1' }));
    observer.fromBroker(frame(codec.method.BasicCancel, 1, { consumerTag: 'ctag-1', nowait: true }));
    expect(notices.map(({ atMs: _atMs, ...notice }) => notice)).toEqual([
      { kind: 'consumer-cancelled', connection: 4, channel: 1, consumerTag: 'ctag-1', queue: 'rpc_queue' },
    ]);
  });
});
