import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, type ICreateToxicBody, type Proxy, type Toxic } from 'toxiproxy-node-client';
import { waitUntil } from '../../test/poll.ts';
import { BuiltinToxiproxy, type StartedBuiltinToxiproxy } from './builtin-toxiproxy.ts';
import {
  CLOSE_BOUND_MS,
  connectClient,
  endedWithin,
  sleep,
  startEchoServer,
  type EchoServer,
  type TestClient,
} from './test/echo-server.ts';

let server: StartedBuiltinToxiproxy;
let toxiproxy: Toxiproxy;
let echo: EchoServer;
let seq = 0;
const clients: TestClient[] = [];

async function newProxy(upstream = echo.upstream): Promise<Proxy> {
  return toxiproxy.createProxy({ name: `toxic-${++seq}`, listen: '127.0.0.1:0', upstream });
}

async function open(proxy: Proxy): Promise<TestClient> {
  const client = await connectClient(proxy.listen);
  clients.push(client);
  return client;
}

function addToxic(
  proxy: Proxy,
  type: string,
  stream: 'upstream' | 'downstream',
  attributes: Record<string, number>,
  toxicity = 1,
): Promise<Toxic<unknown>> {
  return proxy.addToxic({ type, stream, toxicity, attributes } as ICreateToxicBody<unknown>);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('toxics measured on real TCP traffic through the built-in proxy', { timeout: 20_000 }, () => {
  beforeAll(async () => {
    server = await new BuiltinToxiproxy({ host: '127.0.0.1', port: 0 }).start();
    toxiproxy = new Toxiproxy(server.getApiUrl());
    echo = await startEchoServer();
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await server?.stop();
    await echo?.stop();
  });

  it('passes traffic unchanged when no toxic is set', async () => {
    const client = await open(await newProxy());
    await client.roundTrip('hello');
    await client.roundTrip(Buffer.alloc(100_000, 3));
    expect(client.received.subarray(0, 5).toString()).toBe('hello');
    expect(client.received.length).toBe(100_005);
  });

  /*
   * Lower bounds are exact: a toxic never delivers early. Each upper bound is the least time the
   * wrong behaviour it rules out would take (a delay applied twice, a toxic kept after its
   * removal, a queue instead of overlapping delays), so it holds exactly against that behaviour,
   * and a loaded machine, which only makes things later, gets all the room up to it.
   */
  it(
    'delays each downstream chunk by the latency toxic ' +
      '(100 ms -> every RTT >= 100 ms, median below the 200 ms of a doubled delay)',
    async () => {
      const proxy = await newProxy();
      await addToxic(proxy, 'latency', 'downstream', { latency: 100, jitter: 0 });
      const client = await open(proxy);
      const rtts: number[] = [];
      for (let i = 0; i < 5; i++) rtts.push(await client.roundTrip(`ping${i}`));
      expect(Math.min(...rtts)).toBeGreaterThanOrEqual(100);
      expect(median(rtts)).toBeLessThan(200);
    },
  );

  it('adds latency on both streams and sums two latency toxics on one stream', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'latency', 'upstream', { latency: 100 });
    await proxy.addToxic({
      name: 'second',
      type: 'latency',
      stream: 'upstream',
      toxicity: 1,
      attributes: { latency: 100 },
    } as ICreateToxicBody<unknown>);
    await addToxic(proxy, 'latency', 'downstream', { latency: 200 });
    const rtt = await (await open(proxy)).roundTrip('ping');
    expect(rtt).toBeGreaterThanOrEqual(400);
    expect(rtt).toBeLessThan(500); // any of the three applied twice
  });

  it('spreads latency uniformly within ± jitter', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'latency', 'downstream', { latency: 100, jitter: 80 });
    const client = await open(proxy);
    const rtts: number[] = [];
    for (let i = 0; i < 20; i++) rtts.push(await client.roundTrip(`j${i}`));
    expect(Math.min(...rtts)).toBeGreaterThanOrEqual(20);
    // Jitter also shortens the delay, which no load can do: without it no RTT is under 100 ms.
    // With it each RTT has an even chance to be, so all 20 above is a one-in-a-million run.
    expect(Math.min(...rtts)).toBeLessThan(100);
    expect(median(rtts)).toBeLessThan(180); // the whole jitter added to most chunks
  });

  it(
    'overlaps delayed chunks instead of queueing them (10 chunks 20 ms apart, ' +
      '100 ms latency, all in before the 1 s a queue would take)',
    async () => {
      const proxy = await newProxy();
      await addToxic(proxy, 'latency', 'downstream', { latency: 100, jitter: 0 });
      const client = await open(proxy);
      const start = performance.now();
      for (let i = 0; i < 10; i++) {
        client.socket.write(`m${i}`);
        await sleep(20);
      }
      while (client.received.length < 20 && performance.now() - start < 2000) await sleep(2);
      expect(client.received.toString()).toBe('m0m1m2m3m4m5m6m7m8m9');
      // Queued, each chunk would wait its 100 ms after the one before it had gone.
      expect(client.reads.at(-1)!.at - start).toBeLessThan(1_000);
    },
  );

  it('applies an added, updated or removed toxic to an open connection from its next chunk', async () => {
    const proxy = await newProxy();
    const client = await open(proxy);
    expect(await client.roundTrip('a')).toBeLessThan(150); // before the toxic: under the 150 ms it is about to add
    const toxic = await addToxic(proxy, 'latency', 'downstream', { latency: 150 });
    expect(await client.roundTrip('b')).toBeGreaterThanOrEqual(150);
    await toxic.update({ attributes: { latency: 250 } } as Parameters<typeof toxic.update>[0]);
    expect(await client.roundTrip('c')).toBeGreaterThanOrEqual(250);
    await toxic.remove();
    expect(await client.roundTrip('d')).toBeLessThan(250);
  });

  it('releases the data a latency toxic holds as soon as the toxic is removed, as Toxiproxy drains it', async () => {
    const proxy = await newProxy();
    const toxic = await addToxic(proxy, 'latency', 'downstream', { latency: 5_000 });
    const client = await open(proxy);
    const sentAt = performance.now();
    client.socket.write('held');
    await sleep(300);
    expect(client.received.length).toBe(0);
    await toxic.remove();
    while (client.received.length < 4 && performance.now() - sentAt < 7_000) await sleep(1);
    expect(client.received.toString()).toBe('held');
    // A kept delay would hold it until 5 s after it was sent.
    expect(client.reads[0]!.at - sentAt).toBeLessThan(5_000);
  });

  it('re-times held data from its arrival when the latency toxic is updated', async () => {
    const proxy = await newProxy();
    const toxic = await addToxic(proxy, 'latency', 'downstream', { latency: 5_000 });
    const client = await open(proxy);
    const sentAt = performance.now();
    client.socket.write('held');
    await sleep(300);
    const updatedAt = performance.now();
    await toxic.update({ attributes: { latency: 600 } } as Parameters<typeof toxic.update>[0]);
    while (client.received.length < 4 && performance.now() - sentAt < 7_000) await sleep(1);
    expect(client.received.toString()).toBe('held');
    const releasedAt = client.reads[0]!.at;
    expect(releasedAt - sentAt).toBeGreaterThanOrEqual(600);
    // Re-timed from the update instead, it would be held until 600 ms after it (the old delay, until 5 s after it was
    // sent).
    expect(releasedAt).toBeLessThan(updatedAt + 600);
  });

  /**
   * late-reply's fault on bare TCP: a call every 20 ms with a 500 ms timeout; replies held
   * 900 ms from t=1 s, and the toxic removed at 2.5 s. Released at once (Toxiproxy), only calls
   * sent before 2.0 s time out; a kept delay would time out every call of the window, 50 % more.
   */
  it('late-reply on TCP: removing the latency toxic lets the calls of its last 500 ms answer in time', async () => {
    const proxy = await newProxy();
    const client = await open(proxy);
    const TOKEN = 8;
    const sends: number[] = [];
    const start = performance.now();
    let addAt = Number.NaN;
    let removeAt = Number.NaN;
    let removedAt = Number.NaN;
    let toxic: Toxic<unknown> | undefined;
    for (let call = 0; call < 175; call++) {
      const due = start + call * 20;
      while (performance.now() < due) await sleep(Math.max(1, due - performance.now()));
      const elapsed = performance.now() - start;
      if (!toxic && elapsed >= 1_000) {
        toxic = await addToxic(proxy, 'latency', 'downstream', { latency: 900 });
        addAt = performance.now();
      }
      if (toxic && Number.isNaN(removeAt) && elapsed >= 2_500) {
        removeAt = performance.now();
        await toxic.remove();
        removedAt = performance.now();
      }
      sends.push(performance.now());
      client.socket.write(String(call).padStart(TOKEN, '0'));
    }
    while (client.received.length < sends.length * TOKEN && performance.now() - start < 10_000) await sleep(5);
    // When each call's reply was complete: the read in which its last byte arrived.
    const replyAt: number[] = [];
    let bytes = 0;
    for (const read of client.reads) {
      bytes += read.bytes;
      while (replyAt.length < Math.floor(bytes / TOKEN)) replyAt.push(read.at);
    }
    const timedOut = sends.filter((sentAt, call) => (replyAt[call] ?? Number.POSITIVE_INFINITY) - sentAt > 500).length;
    const sentWhileHeld = sends.filter((sentAt) => sentAt >= addAt && sentAt < removeAt).length;
    const releasedModel = sends.filter((sentAt) => sentAt >= addAt && sentAt < removeAt - 500).length;
    // The proxy applies the removal somewhere during its API call: at the latest, when the call returns.
    const releasedLatestModel = sends.filter((sentAt) => sentAt >= addAt && sentAt < removedAt - 500).length;
    console.log(
      `late-reply on TCP: ${timedOut} timeouts; release-on-remove predicts ` +
        `${releasedModel}-${releasedLatestModel}, a kept delay ${sentWhileHeld}`,
    );
    expect(timedOut).toBeGreaterThanOrEqual(releasedModel - 5);
    expect(timedOut).toBeLessThanOrEqual(releasedLatestModel + 8);
    expect(timedOut).toBeLessThan(sentWhileHeld - 10);
  });

  it('caps throughput with the bandwidth toxic (100 KB/s -> 50 KB take about 0.5 s)', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'bandwidth', 'downstream', { rate: 100 });
    const client = await open(proxy);
    const sentAt = performance.now();
    const elapsed = await client.roundTrip(Buffer.alloc(50_000, 7));
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(1000); // half the rate
    // Delivered in 100 ms slices: all at the end, the first byte would come no earlier than 500 ms.
    expect(client.reads[0]!.at - sentAt).toBeLessThan(500);
  });

  it('stalls the stream with bandwidth rate 0 rather than lifting the cap', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'bandwidth', 'downstream', { rate: 0 });
    const client = await open(proxy);
    client.socket.write('stuck');
    await sleep(300);
    expect(client.received.length).toBe(0);
    expect(echo.bytesReceived()).toBeGreaterThan(0);
  });

  it('timeout drops data and closes a connection that stays idle for the timeout', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'timeout', 'downstream', { timeout: 300 });
    // The idle connection's timer starts when the proxy accepts it, which is after this.
    const connectingAt = performance.now();
    const idle = await open(proxy);
    const busy = await open(proxy);
    busy.socket.write('lost');
    expect(await idle.ended).toBe('eof');
    expect(await busy.ended).toBe('eof');
    // Less 10 ms for Node's timer clock, which is cached per loop turn in whole milliseconds.
    expect(idle.endedAt! - connectingAt).toBeGreaterThanOrEqual(290);
    expect(idle.endedAt! - connectingAt).toBeLessThan(600); // twice the timeout
    expect(busy.received.length).toBe(0);
  });

  it('timeout counts from the last chunk, so steady traffic keeps the connection open', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'timeout', 'downstream', { timeout: 400 });
    const client = await open(proxy);
    const openedAt = performance.now();
    let lastTickAt = openedAt;
    // A tick every 100 ms, for longer than the timeout; 300 ms to spare for a loaded machine's timers.
    while (performance.now() - openedAt < 600) {
      client.socket.write('tick');
      lastTickAt = performance.now();
      await sleep(100);
    }
    expect(client.endedAt).toBeUndefined();
    expect(await client.ended).toBe('eof');
    expect(client.endedAt! - lastTickAt).toBeGreaterThanOrEqual(390);
  });

  it('timeout 0 holds the connection until the toxic is removed, which closes it', async () => {
    const proxy = await newProxy();
    const toxic = await addToxic(proxy, 'timeout', 'downstream', { timeout: 0 });
    const client = await open(proxy);
    client.socket.write('held');
    expect(await endedWithin(client, 300)).toBe('open');
    await toxic.remove();
    expect(await endedWithin(client, CLOSE_BOUND_MS)).toBe('eof');
  });

  it('timeout 0 on both streams of an open connection (a blackhole) drops data both ways until removed', async () => {
    const proxy = await newProxy();
    const client = await open(proxy);
    await client.roundTrip('before');
    const receivedBefore = echo.bytesReceived();
    const toxics = [
      await addToxic(proxy, 'timeout', 'upstream', { timeout: 0 }),
      await addToxic(proxy, 'timeout', 'downstream', { timeout: 0 }),
    ];
    const heldBytes = client.received.length;
    client.socket.write('into the silence');
    expect(await endedWithin(client, 500)).toBe('open');
    expect(echo.bytesReceived()).toBe(receivedBefore);
    expect(client.received.length).toBe(heldBytes);
    for (const toxic of toxics) await toxic.remove();
    expect(await endedWithin(client, CLOSE_BOUND_MS)).toBe('eof');
  });

  it('reset_peer resets the connection (ECONNRESET) on the first chunk, after its timeout', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'reset_peer', 'upstream', { timeout: 200 });
    const client = await open(proxy);
    expect(await endedWithin(client, 150)).toBe('open');
    const start = performance.now();
    client.socket.write('boom');
    expect(await client.ended).toEqual({ error: 'ECONNRESET' });
    expect(client.endedAt! - start).toBeGreaterThanOrEqual(190);
    expect(client.received.length).toBe(0);
  });

  it('reset_peer added to an already open connection closes it with a plain FIN, as Toxiproxy does', async () => {
    const proxy = await newProxy();
    const client = await open(proxy);
    await client.roundTrip('set up'); // the proxy has joined client and upstream before the toxic arrives
    await addToxic(proxy, 'reset_peer', 'upstream', { timeout: 0 });
    client.socket.write('boom');
    expect(await endedWithin(client, CLOSE_BOUND_MS)).toBe('eof');
  });

  it('slicer splits a chunk into several smaller reads, delay microseconds apart', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'slicer', 'downstream', { average_size: 100, size_variation: 20, delay: 5_000 });
    const client = await open(proxy);
    await client.roundTrip(Buffer.alloc(1000, 1));
    expect(client.reads.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...client.reads.map((r) => r.bytes))).toBeLessThanOrEqual(240);
    expect(client.reads.at(-1)!.at - client.reads[0]!.at).toBeGreaterThanOrEqual(5 * 5);
  });

  it('limit_data downstream passes exactly N bytes across chunks, then closes', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'limit_data', 'downstream', { bytes: 1000 });
    const client = await open(proxy);
    client.socket.write(Buffer.alloc(600, 1));
    await sleep(50);
    client.socket.write(Buffer.alloc(600, 2));
    expect(await client.ended).toBe('eof');
    expect(client.received.length).toBe(1000);
  });

  it('limit_data upstream lets exactly N bytes reach the upstream, then closes both sides', async () => {
    const upstream = await startEchoServer();
    try {
      const proxy = await newProxy(upstream.upstream);
      await addToxic(proxy, 'limit_data', 'upstream', { bytes: 700 });
      const client = await open(proxy);
      client.socket.write(Buffer.alloc(500, 1));
      await sleep(30);
      client.socket.write(Buffer.alloc(500, 2));
      expect(await client.ended).toBe('eof');
      // Once the upstream's side has closed too, its count is final.
      await waitUntil(() => upstream.openConnections() === 0, 'close of the upstream connection', {
        timeoutMs: CLOSE_BOUND_MS,
      });
      expect(upstream.bytesReceived()).toBe(700);
    } finally {
      await upstream.stop();
    }
  });

  it('slow_close delays passing a close through', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'slow_close', 'downstream', { delay: 300 });
    const client = await open(proxy);
    const start = performance.now();
    client.socket.end(); // the echo server half-closes back through the proxy
    expect(await client.ended).toBe('eof');
    expect(client.endedAt! - start).toBeGreaterThanOrEqual(290);
  });

  it('toxicity 0 leaves connections alone and 0.5 affects about half of them, one coin per connection', async () => {
    const never = await newProxy();
    await addToxic(never, 'latency', 'downstream', { latency: 500 }, 0);
    expect(await (await open(never)).roundTrip('fast')).toBeLessThan(500);

    const half = await newProxy();
    await addToxic(half, 'latency', 'downstream', { latency: 600 }, 0.5);
    const connections = await Promise.all(Array.from({ length: 40 }, () => open(half)));
    const affected = await Promise.all(
      connections.map(async (client) => {
        const first = await client.roundTrip('x');
        const second = await client.roundTrip('y');
        // An affected chunk is never early, so >= 600 ms means affected; the margin is for a loaded machine.
        expect(first >= 600).toBe(second >= 600); // the same decision for every chunk
        return first >= 600;
      }),
    );
    const count = affected.filter(Boolean).length;
    expect(count).toBeGreaterThanOrEqual(8);
    expect(count).toBeLessThanOrEqual(32);
  });
});
