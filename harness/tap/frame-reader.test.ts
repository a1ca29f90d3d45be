import { createHash } from 'node:crypto';
import { connect as netConnect, createServer, type Server } from 'node:net';
import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { AmqpObserver, Cut, type ProtocolSteps } from './amqp-observer.ts';
import { FrameReader } from './frame-reader.ts';
import { seededRandom } from '../load/seeded-random.ts';

/** One TCP read as the tap would see it: which side sent it and its bytes. */
interface RecordedChunk {
  readonly fromClient: boolean;
  readonly bytes: Buffer;
}

/** A plain TCP relay that records every chunk in the order it arrived. */
async function startRecorder(brokerPort: number): Promise<{ server: Server; port: number; chunks: RecordedChunk[] }> {
  const chunks: RecordedChunk[] = [];
  const server = createServer((client) => {
    const upstream = netConnect({ host: '127.0.0.1', port: brokerPort });
    client.on('data', (bytes: Buffer) => {
      chunks.push({ fromClient: true, bytes });
      upstream.write(bytes);
    });
    upstream.on('data', (bytes: Buffer) => {
      chunks.push({ fromClient: false, bytes });
      client.write(bytes);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, chunks };
}

/** Protocol steps written down without their times, so two decodings can be compared. */
function recordSteps(): { steps: ProtocolSteps; log: string[] } {
  const log: string[] = [];
  const line = (kind: string, value: object) => {
    const { atMs: _atMs, body, ...rest } = value as { atMs?: number; body?: Buffer };
    log.push(
      `${kind} ${JSON.stringify(rest)}` +
        `${body ? ` body=${body.length}:${createHash('sha1').update(body).digest('hex').slice(0, 12)}` : ''}`,
    );
  };
  const steps: ProtocolSteps = {
    delivered: (d) => line('deliver', d),
    publishing: (connection, channel, correlationId) => {
      line('publishing', { connection, channel, correlationId });
      return Cut.Continue;
    },
    published: (p) => {
      line('publish', p);
      return Cut.Continue;
    },
    settling: () => Cut.Continue,
    acked: (a) => line('ack', a),
    nacked: (n) => line('nack', n),
    brokerNotice: (b) => line('broker-notice', b),
    confirmed: (c) => line('confirm', c),
    consumed: (c) => line('consume', c),
    consumeOk: (c) => line('consume-ok', c),
    heartbeat: () => line('heartbeat', {}),
    connectionOpened: (connection) => line('open-ok', { connection }),
    connectionClosing: (connection, fromClient) => line('connection-close', { connection, fromClient }),
  };
  return { steps, log };
}

/** Decodes a recorded connection, re-cutting every recorded chunk into pieces by `cut`. */
function decode(chunks: readonly RecordedChunk[], cut: (bytes: Buffer) => Buffer[]): string[] {
  const { steps, log } = recordSteps();
  const observer = new AmqpObserver(1, steps, 64 * 1024);
  const fromClient = new FrameReader(true);
  const fromBroker = new FrameReader(false);
  for (const chunk of chunks) {
    for (const piece of cut(chunk.bytes)) {
      const ok = chunk.fromClient
        ? fromClient.push(piece, (frame) => observer.fromClient(frame) === Cut.Continue)
        : fromBroker.push(piece, (frame) => {
            observer.fromBroker(frame);
            return true;
          });
      if (!ok) throw new Error(`decoding stopped: ${fromClient.error ?? fromBroker.error}`);
    }
  }
  return log;
}

/** Cuts bytes into pieces of random sizes from `min` to `max`, reproducibly. */
function randomPieces(random: () => number, min: number, max: number): (bytes: Buffer) => Buffer[] {
  return (bytes) => {
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < bytes.length; ) {
      const size = min + Math.floor(random() * (max - min + 1));
      pieces.push(bytes.subarray(offset, offset + size));
      offset += size;
    }
    return pieces;
  };
}

/** Merges runs of chunks from the same side, so that frames also meet in bigger reads. */
function coalesce(chunks: readonly RecordedChunk[]): RecordedChunk[] {
  const merged: RecordedChunk[] = [];
  for (const chunk of chunks) {
    const last = merged.at(-1);
    if (last && last.fromClient === chunk.fromClient)
      merged[merged.length - 1] = { fromClient: last.fromClient, bytes: Buffer.concat([last.bytes, chunk.bytes]) };
    else merged.push(chunk);
  }
  return merged;
}

describe('FrameReader + AmqpObserver on a recorded AMQP connection', { timeout: 240_000 }, () => {
  let node: StartedPrivateRabbitNode;
  let chunks: RecordedChunk[];

  beforeAll(async () => {
    node = await new PrivateRabbitNode().withStartTimeout(100_000).start();
    const recorder = await startRecorder(node.getAmqpPort());
    try {
      // frameMax 4096: the 20 KB body below spans six body frames.
      const url = new URL(node.getAmqpUrl());
      url.port = String(recorder.port);
      url.searchParams.set('frameMax', '4096');
      const connection = await amqp.connect(url.toString());
      const channel = await connection.createChannel();
      const confirmChannel = await connection.createConfirmChannel();
      const queue = (await channel.assertQueue('', { exclusive: true })).queue;
      await channel.prefetch(10);
      const received: amqp.ConsumeMessage[] = [];
      await channel.consume(
        queue,
        (message) => {
          if (message) received.push(message);
        },
        { noAck: false },
      );
      const big = Buffer.alloc(20_000, 7);
      channel.sendToQueue(queue, Buffer.from('1'), {
        correlationId: 'c-1',
        replyTo: 'some-reply-queue',
        headers: { 'x-n': 1 },
      });
      channel.sendToQueue(queue, Buffer.alloc(0), { correlationId: 'c-empty' });
      channel.sendToQueue(queue, big, { correlationId: 'c-big' });
      channel.sendToQueue(queue, Buffer.from('4'), { correlationId: 'c-4' });
      channel.sendToQueue(queue, Buffer.from('5'), { correlationId: 'c-5' });
      await new Promise<void>((resolve) =>
        confirmChannel.sendToQueue(queue, Buffer.from('6'), { correlationId: 'c-6' }, () => resolve()),
      );
      const deadline = Date.now() + 10_000;
      while (received.length < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(received).toHaveLength(6);
      const byId = (id: string) => received.find((m) => m.properties.correlationId === id)!;
      channel.ack(byId('c-5'));
      channel.nack(byId('c-big'), false, false);
      channel.reject(byId('c-4'), false);
      // Settles the rest (c-1, c-empty, c-6): the highest delivery tag among them, multiple.
      channel.ack(
        [byId('c-1'), byId('c-empty'), byId('c-6')].sort((a, b) => b.fields.deliveryTag - a.fields.deliveryTag)[0]!,
        true,
      );
      await channel.checkQueue(queue); // a round trip, so the settlements are on the wire
      await connection.close();
    } finally {
      await new Promise((resolve) => recorder.server.close(resolve));
    }
    chunks = recorder.chunks;
  });

  afterAll(async () => {
    await node?.stop();
  });

  it('reports every step of the exchange, fed the chunks as they were read', () => {
    const log = decode(chunks, (bytes) => [bytes]);
    const kinds = log.map((line) => line.split(' ')[0]);
    expect(kinds.filter((k) => k === 'publish')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'deliver')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'confirm')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'consume')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'consume-ok')).toHaveLength(1);
    const big = log.find((line) => line.startsWith('deliver') && line.includes('"c-big"'));
    expect(big).toContain('"bodySize":20000');
    expect(log.find((line) => line.startsWith('publish ') && line.includes('"c-1"'))).toContain('"headers":{"x-n":1}');
    expect(log).toContainEqual(expect.stringMatching(/^ack .*"multiple":false,"correlationIds":\["c-5"\]/));
    expect(log).toContainEqual(
      expect.stringMatching(/^nack .*"correlationIds":\["c-big"\].*"method":"nack","requeue":false/),
    );
    expect(log).toContainEqual(expect.stringMatching(/^nack .*"correlationIds":\["c-4"\].*"method":"reject"/));
    const multiple = log.find((line) => line.startsWith('ack ') && line.includes('"multiple":true'));
    const settled = JSON.parse(multiple!.slice('ack '.length)) as { correlationIds: string[] };
    expect(settled.correlationIds.sort()).toEqual(['c-1', 'c-6', 'c-empty']);
  });

  it('reports the same steps when the bytes arrive one at a time', () => {
    const whole = decode(chunks, (bytes) => [bytes]);
    const byteByByte = decode(chunks, (bytes) =>
      Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1)),
    );
    expect(byteByByte).toEqual(whole);
  });

  it('reports the same steps in random chunks and in coalesced reads', () => {
    const whole = decode(chunks, (bytes) => [bytes]);
    for (const seed of [1, 2, 3, 4, 5]) {
      expect(decode(chunks, randomPieces(seededRandom(seed), 1, 9_000)), `seed ${seed}`).toEqual(whole);
    }
    expect(decode(coalesce(chunks), randomPieces(seededRandom(11), 1, 50_000))).toEqual(whole);
    expect(decode(coalesce(chunks), (bytes) => [bytes])).toEqual(whole);
  });

  it('stops decoding, with a reason, a stream that does not open with the AMQP 0-9-1 header', () => {
    const reader = new FrameReader(true);
    expect(reader.push(Buffer.from('GET / HTTP/1.1\r\n'), () => true)).toBe(false);
    expect(reader.error).toMatch(/did not open with the AMQP 0-9-1 protocol header/);
  });

  it('stops decoding a stream whose frame end octet is wrong', () => {
    const reader = new FrameReader(false);
    const garbage = Buffer.from([1, 0, 1, 0, 0, 0, 4, 0, 60, 0, 80, 0]);
    expect(reader.push(garbage, () => true)).toBe(false);
    expect(reader.error).toMatch(/not an AMQP 0-9-1 frame stream: Invalid frame/);
  });
});
