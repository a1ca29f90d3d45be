import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, type ICreateToxicBody, type Proxy } from 'toxiproxy-node-client';
import { pollUntil, waitUntil } from '../../test/poll.ts';
import { BuiltinToxiproxy, type StartedBuiltinToxiproxy } from './builtin-toxiproxy.ts';
import { crossedDuplexPair, duplexPair } from './duplex-pair.ts';
import { connectInProcess, inProcessPair, resetEnd } from './in-process-link.ts';
import { CLOSE_BOUND_MS, endedWithin, startEchoServer, TestClient, type EchoServer } from './test/echo-server.ts';

let server: StartedBuiltinToxiproxy;
let toxiproxy: Toxiproxy;
let echo: EchoServer;
let seq = 0;
const clients: TestClient[] = [];

function portOf(proxy: Proxy): number {
  return Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
}

function openInProcess(proxy: Proxy): TestClient {
  const end = connectInProcess('127.0.0.1', portOf(proxy));
  if (!end) throw new Error(`no in-process listener for ${proxy.listen}`);
  const client = new TestClient(end);
  clients.push(client);
  return client;
}

describe('in-process connections to the built-in proxy (no TCP hop)', { timeout: 20_000 }, () => {
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

  it('reaches the upstream through the proxy, large writes included', async () => {
    const proxy = await toxiproxy.createProxy({
      name: `inproc-${++seq}`,
      listen: '127.0.0.1:0',
      upstream: echo.upstream,
    });
    const client = openInProcess(proxy);
    await client.roundTrip('hello');
    await client.roundTrip(Buffer.alloc(1_000_000, 7));
    expect(client.received.subarray(0, 5).toString()).toBe('hello');
    expect(client.received.length).toBe(1_000_005);
  });

  it('is offered only while a proxy listens there: a disabled proxy is not registered', async () => {
    const proxy = await toxiproxy.createProxy({
      name: `inproc-${++seq}`,
      listen: '127.0.0.1:0',
      upstream: echo.upstream,
    });
    const port = portOf(proxy);
    expect(connectInProcess('127.0.0.1', port)?.destroy()).toBeDefined();
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(connectInProcess('127.0.0.1', port)).toBeUndefined();
    expect(connectInProcess('127.0.0.1', echo.port)).toBeUndefined();
  });

  it('ends open in-process connections with EOF when the proxy is disabled', async () => {
    const proxy = await toxiproxy.createProxy({
      name: `inproc-${++seq}`,
      listen: '127.0.0.1:0',
      upstream: echo.upstream,
    });
    const client = openInProcess(proxy);
    await client.roundTrip('x');
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(await endedWithin(client, CLOSE_BOUND_MS)).toBe('eof');
  });

  it('applies toxics: latency delays, and removing it releases held data at once', async () => {
    const proxy = await toxiproxy.createProxy({
      name: `inproc-${++seq}`,
      listen: '127.0.0.1:0',
      upstream: echo.upstream,
    });
    const client = openInProcess(proxy);
    await client.roundTrip('warm');
    const toxic = await proxy.addToxic({
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 1_000, jitter: 0 },
    } as ICreateToxicBody<unknown>);
    expect(await client.roundTrip('slow')).toBeGreaterThanOrEqual(1_000);
    const echoedBefore = echo.bytesReceived();
    const held = client.roundTrip('held', 4, 5_000);
    // The echo has sent it back, so it is on its way into the toxic (the proxy's next read).
    await waitUntil(() => echo.bytesReceived() >= echoedBefore + 4, 'echo of the held chunk', { timeoutMs: 5_000 });
    await toxic.remove();
    expect(await held).toBeLessThan(1_000); // a kept delay would hold it 1 s
  });

  it('reset_peer resets an in-process connection (ECONNRESET) on the first chunk', async () => {
    const proxy = await toxiproxy.createProxy({
      name: `inproc-${++seq}`,
      listen: '127.0.0.1:0',
      upstream: echo.upstream,
    });
    await proxy.addToxic({
      type: 'reset_peer',
      stream: 'upstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    } as ICreateToxicBody<unknown>);
    const client = openInProcess(proxy);
    client.socket.write('boom');
    expect(await endedWithin(client, CLOSE_BOUND_MS)).toEqual({ error: 'ECONNRESET' });
  });

  it('closes a connection whose caller end is destroyed, and the upstream sees its FIN', async () => {
    const proxy = await toxiproxy.createProxy({
      name: `inproc-${++seq}`,
      listen: '127.0.0.1:0',
      upstream: echo.upstream,
    });
    const client = openInProcess(proxy);
    await client.roundTrip('bye');
    client.close();
    // The echo server ends its side once it reads the FIN, and its socket closes.
    expect(
      await pollUntil(
        () => echo.openConnections(),
        (open) => open === 0,
        { timeoutMs: CLOSE_BOUND_MS },
      ),
    ).toBe(0);
  });
});

describe.each([
  ['Node.js', duplexPair],
  ['built here, for Node 20 before 20.17', crossedDuplexPair],
])('an in-process pair (%s) ends as a TCP connection does, on every Node.js line', (_, makePair) => {
  it('a reset end gives its peer ECONNRESET', async () => {
    const [end, peerEnd] = inProcessPair(makePair);
    const peer = new TestClient(peerEnd);
    resetEnd(end);
    expect(await endedWithin(peer, CLOSE_BOUND_MS)).toEqual({ error: 'ECONNRESET' });
    expect(peerEnd.destroyed).toBe(true);
  });

  it('carries 8 MB each way, waiting for the reader (backpressure), then EOF when an end ends', async () => {
    const [a, b] = inProcessPair(makePair);
    const chunk = Buffer.alloc(64 * 1024, 7);
    const readAll = (end: typeof a) =>
      new Promise<number>((resolve) => {
        let total = 0;
        end.on('data', (data: Buffer) => (total += data.length));
        end.once('end', () => resolve(total));
      });
    const [atB, atA] = [readAll(b), readAll(a)];
    for (const end of [a, b]) {
      for (let i = 0; i < 128; i++) if (!end.write(chunk)) await new Promise((resolve) => end.once('drain', resolve));
      end.end();
    }
    expect(await atB).toBe(128 * chunk.length);
    expect(await atA).toBe(128 * chunk.length);
  });

  it('a destroyed end gives its peer the data written before, then EOF, then a close', async () => {
    const [end, peerEnd] = inProcessPair(makePair);
    const peer = new TestClient(peerEnd);
    const closed = new Promise((resolve) => peerEnd.once('close', resolve));
    end.write('last words');
    end.destroy();
    expect(await endedWithin(peer, CLOSE_BOUND_MS)).toBe('eof');
    expect(peer.received.toString()).toBe('last words');
    await closed;
  });
});
