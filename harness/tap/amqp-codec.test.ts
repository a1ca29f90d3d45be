import { describe, expect, it } from 'vitest';
import { loadAmqpCodec, PINNED_AMQPLIB_VERSION } from './amqp-codec.ts';

/**
 * The tap relies on amqplib internals (lib/frame.js, lib/defs.js). These tests pin what it
 * uses, so an amqplib upgrade that moves them fails here, by name, not as wrong counts later.
 */
describe("amqplib's internal frame and method codec", () => {
  const codec = loadAmqpCodec();

  it('is the amqplib version whose internals were checked', () => {
    expect(
      codec.version,
      `amqplib ${codec.version} is installed; the tap was checked against ${PINNED_AMQPLIB_VERSION}: ` +
        'if the other tests here pass, update PINNED_AMQPLIB_VERSION',
    ).toBe(PINNED_AMQPLIB_VERSION);
  });

  it('parses and decodes a basic.ack encoded by encodeMethod', () => {
    const bytes = codec.encodeMethod(codec.method.BasicAck, 3, { deliveryTag: 42, multiple: true });
    const frame = codec.parseFrame(bytes, 0);
    expect(frame).not.toBe(false);
    if (frame === false) return;
    expect(frame).toMatchObject({ type: codec.frame.method, channel: 3 });
    expect(frame.rest.length).toBe(0);
    expect(frame.payload.readUInt32BE(0)).toBe(codec.method.BasicAck);
    expect(codec.decodeFrame(frame)).toMatchObject({
      id: codec.method.BasicAck,
      channel: 3,
      fields: { deliveryTag: 42, multiple: true },
    });
  });

  it('decodes basic.deliver fields, a content header with properties, and a body frame', () => {
    const deliver = codec.encodeMethod(codec.method.BasicDeliver, 1, {
      consumerTag: 'ctag',
      deliveryTag: 7,
      redelivered: true,
      exchange: '',
      routingKey: 'rpc_queue',
    });
    const header = codec.encodeProperties(60, 1, 5, {
      correlationId: 'c-1',
      replyTo: 'amq.gen-x',
      headers: { 'x-n': 5 },
    });
    const body = codec.makeBodyFrame(1, Buffer.from('hello'));
    const stream = Buffer.concat([deliver, header, body]);
    const first = codec.parseFrame(stream, 0);
    if (first === false) throw new Error('deliver did not parse');
    expect(codec.decodeFrame(first).fields).toMatchObject({
      consumerTag: 'ctag',
      deliveryTag: 7,
      redelivered: true,
      routingKey: 'rpc_queue',
    });
    const second = codec.parseFrame(first.rest, 0);
    if (second === false) throw new Error('header did not parse');
    expect(codec.decodeFrame(second)).toMatchObject({
      id: 60,
      size: 5,
      fields: { correlationId: 'c-1', replyTo: 'amq.gen-x', headers: { 'x-n': 5 } },
    });
    const third = codec.parseFrame(second.rest, 0);
    if (third === false) throw new Error('body did not parse');
    expect(codec.decodeFrame(third).content?.toString()).toBe('hello');
  });

  it('answers false for an incomplete frame and throws on a bad frame end', () => {
    const bytes = codec.encodeMethod(codec.method.BasicAck, 1, { deliveryTag: 1, multiple: false });
    expect(codec.parseFrame(bytes.subarray(0, bytes.length - 1), 0)).toBe(false);
    const broken = Buffer.from(bytes);
    broken[broken.length - 1] = 0;
    expect(() => codec.parseFrame(broken, 0)).toThrow(/Invalid frame/);
  });
});
