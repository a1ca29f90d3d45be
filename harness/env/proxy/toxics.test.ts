import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, type ICreateToxicBody, type Proxy } from 'toxiproxy-node-client';
import { BuiltinToxiproxy, type StartedBuiltinToxiproxy } from './builtin-toxiproxy.ts';
import { connectClient, startEchoServer } from './test-echo-server.ts';

let server: StartedBuiltinToxiproxy;
let toxiproxy: Toxiproxy;
let echo: Awaited<ReturnType<typeof startEchoServer>>;
let seq = 0;

async function newProxy(): Promise<Proxy> {
  return toxiproxy.createProxy({ name: `toxic-${++seq}`, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
}

function addToxic(proxy: Proxy, type: string, stream: 'upstream' | 'downstream', attributes: Record<string, number>) {
  return proxy.addToxic({ type, stream, toxicity: 1, attributes } as ICreateToxicBody<unknown>);
}

describe('toxics measured on real TCP traffic through the built-in proxy', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    server = await new BuiltinToxiproxy({ port: 0 }).start();
    toxiproxy = new Toxiproxy(server.getApiUrl());
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await server?.stop();
    await echo?.stop();
  });

  it('passes traffic unchanged with no toxic (its speed is measured in npm run bench)', async () => {
    const client = await connectClient((await newProxy()).listen);
    await client.roundTrip('hello');
    await client.roundTrip(Buffer.alloc(100_000, 3));
    expect(client.received.subarray(0, 5).toString()).toBe('hello');
    expect(client.received.length).toBe(100_005);
    client.close();
  });

  it('latency: adds the configured delay to each chunk (100 ms downstream -> RTT 100..130 ms)', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'latency', 'downstream', { latency: 100, jitter: 0 });
    const client = await connectClient(proxy.listen);
    const rtt = await client.roundTrip('ping');
    expect(rtt).toBeGreaterThanOrEqual(99);
    expect(rtt).toBeLessThan(130);
    client.close();
  });

  it('latency: chunks overlap rather than queue (10 chunks 20 ms apart all arrive within ~300 ms)', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'latency', 'downstream', { latency: 100, jitter: 0 });
    const client = await connectClient(proxy.listen);
    const start = performance.now();
    for (let i = 0; i < 10; i++) {
      client.socket.write(`m${i}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    while (client.received.length < 20 && performance.now() - start < 2000) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(client.received.toString()).toBe('m0m1m2m3m4m5m6m7m8m9');
    expect(performance.now() - start).toBeLessThan(400);
    client.close();
  });

  it('bandwidth: caps throughput (100 KB/s -> 50 KB take about 0.5 s)', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'bandwidth', 'downstream', { rate: 100 });
    const client = await connectClient(proxy.listen);
    const elapsed = await client.roundTrip(Buffer.alloc(50_000, 7));
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(900);
    client.close();
  });

  it('timeout: drops data, then closes the connection after the timeout', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'timeout', 'downstream', { timeout: 300 });
    const client = await connectClient(proxy.listen);
    const start = performance.now();
    client.socket.write('lost');
    expect(await client.ended).toBe('eof');
    expect(performance.now() - start).toBeGreaterThanOrEqual(280);
    expect(client.received.length).toBe(0);
  });

  it('timeout 0 holds the connection until the toxic is removed, which closes it', async () => {
    const proxy = await newProxy();
    const toxic = await addToxic(proxy, 'timeout', 'downstream', { timeout: 0 });
    const client = await connectClient(proxy.listen);
    client.socket.write('held');
    const early = await Promise.race([client.ended, new Promise((resolve) => setTimeout(() => resolve('open'), 300))]);
    expect(early).toBe('open');
    await toxic.remove();
    expect(await client.ended).toBe('eof');
  });

  it('reset_peer: resets the connection (ECONNRESET) on the first data', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'reset_peer', 'upstream', { timeout: 0 });
    const client = await connectClient(proxy.listen);
    client.socket.write('boom');
    expect(await client.ended).toEqual({ error: 'ECONNRESET' });
  });

  it('slicer: splits a chunk into many small reads', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'slicer', 'downstream', { average_size: 100, size_variation: 20, delay: 5_000 });
    const client = await connectClient(proxy.listen);
    await client.roundTrip(Buffer.alloc(1000, 1));
    expect(client.reads.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...client.reads.map((r) => r.bytes))).toBeLessThanOrEqual(240);
    client.close();
  });

  it('limit_data: passes exactly N bytes, then closes', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'limit_data', 'downstream', { bytes: 1000 });
    const client = await connectClient(proxy.listen);
    client.socket.write(Buffer.alloc(600, 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.socket.write(Buffer.alloc(600, 2));
    expect(await client.ended).toBe('eof');
    expect(client.received.length).toBe(1000);
  });

  it('slow_close: delays passing a close through', async () => {
    const proxy = await newProxy();
    await addToxic(proxy, 'slow_close', 'downstream', { delay: 300 });
    const client = await connectClient(proxy.listen);
    const start = performance.now();
    client.socket.end(); // the echo server half-closes back through the proxy
    expect(await client.ended).toBe('eof');
    expect(performance.now() - start).toBeGreaterThanOrEqual(280);
  });

  it('toxicity 0 leaves connections unaffected', async () => {
    const proxy = await newProxy();
    await proxy.addToxic({ type: 'latency', stream: 'downstream', toxicity: 0, attributes: { latency: 500 } } as ICreateToxicBody<unknown>);
    const client = await connectClient(proxy.listen);
    expect(await client.roundTrip('fast')).toBeLessThan(100);
    client.close();
  });

  it('a disabled proxy refuses connections (ECONNREFUSED) and closes open ones (EOF); enabling restores it', async () => {
    const proxy = await newProxy();
    const open = await connectClient(proxy.listen);
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(await open.ended).toBe('eof');
    const [host, port] = proxy.listen.split(':') as [string, string];
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host, port: Number(port) });
      socket.once('connect', () => resolve('connected'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    const again = await connectClient(proxy.listen);
    await again.roundTrip('back');
    again.close();
  });

  it('an unreachable upstream gets the client accepted and closed at once', async () => {
    const proxy = await toxiproxy.createProxy({ name: `toxic-${++seq}`, listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const client = await connectClient(proxy.listen);
    expect(await client.ended).toBe('eof');
  });
});
