import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, type ICreateToxicBody, type Proxy } from 'toxiproxy-node-client';
import { BuiltinToxiproxy, type StartedBuiltinToxiproxy } from './builtin-toxiproxy.ts';
import {
  CLOSE_BOUND_MS,
  connectClient,
  endedWithin,
  startEchoServer,
  tryConnect,
  type EchoServer,
  type TestClient,
} from './test/echo-server.ts';

let server: StartedBuiltinToxiproxy;
let toxiproxy: Toxiproxy;
let echo: EchoServer;
let seq = 0;
const clients: TestClient[] = [];

async function newProxy(upstream = echo.upstream): Promise<Proxy> {
  return toxiproxy.createProxy({ name: `life-${++seq}`, listen: '127.0.0.1:0', upstream });
}

async function open(listen: string): Promise<TestClient> {
  const client = await connectClient(listen);
  clients.push(client);
  return client;
}

describe('proxy lifecycle on real TCP: enable, disable, reset, delete, stop', { timeout: 20_000 }, () => {
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

  it('refuses connections (ECONNREFUSED) and closes open ones (EOF) when disabled; enabling restores it', async () => {
    const proxy = await newProxy();
    const before = await open(proxy.listen);
    await before.roundTrip('up');
    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(disabled.enabled).toBe(false);
    expect(await endedWithin(before, CLOSE_BOUND_MS)).toBe('eof');
    expect(await tryConnect(proxy.listen)).toBe('ECONNREFUSED');
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    await (await open(proxy.listen)).roundTrip('back');
  });

  it('resets: re-enables every proxy and removes every toxic, while open connections survive', async () => {
    const slowed = await newProxy();
    await slowed.addToxic({
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 300 },
    } as ICreateToxicBody<unknown>);
    const survivor = await open(slowed.listen);
    expect(await survivor.roundTrip('slow')).toBeGreaterThanOrEqual(300);
    const down = await newProxy();
    await down.update({ enabled: false, listen: down.listen, upstream: down.upstream });
    expect(await tryConnect(down.listen)).toBe('ECONNREFUSED');

    await toxiproxy.reset();

    expect(await survivor.roundTrip('fast')).toBeLessThan(300); // a kept toxic would hold it 300 ms
    // The client keeps no toxic list, so ask the API directly.
    expect(await (await fetch(`${server.getApiUrl()}/proxies/${slowed.name}/toxics`)).json()).toEqual([]);
    await expect(slowed.getToxic('latency_downstream')).rejects.toThrow('status code 404');
    const again = await toxiproxy.get(down.name);
    expect(again.enabled).toBe(true);
    await (await open(again.listen)).roundTrip('up again');
  });

  it('gives a proxy created disabled on port 0 a fresh port when reset enables it', async () => {
    const created = await toxiproxy.createProxy({
      name: `life-${++seq}`,
      listen: '127.0.0.1:0',
      upstream: echo.upstream,
      enabled: false,
    });
    expect(created.listen).toBe('127.0.0.1:0');
    await toxiproxy.reset();
    const enabled = await toxiproxy.get(created.name);
    expect(enabled.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    await (await open(enabled.listen)).roundTrip('fresh');
  });

  it('closes open connections and the listener when the proxy is deleted', async () => {
    const proxy = await newProxy();
    const client = await open(proxy.listen);
    await client.roundTrip('bye');
    await proxy.remove();
    expect(await endedWithin(client, CLOSE_BOUND_MS)).toBe('eof');
    expect(await tryConnect(proxy.listen)).toBe('ECONNREFUSED');
  });

  it('drops open connections when the upstream changes, and then proxies to the new upstream', async () => {
    const other = await startEchoServer();
    try {
      const proxy = await newProxy();
      const client = await open(proxy.listen);
      await client.roundTrip('old');
      const moved = await proxy.update({ enabled: true, listen: proxy.listen, upstream: other.upstream });
      expect(await endedWithin(client, CLOSE_BOUND_MS)).toBe('eof');
      await (await open(moved.listen)).roundTrip('new');
      expect(other.bytesReceived()).toBe(3);
    } finally {
      await other.stop();
    }
  });

  it('accepts a client and closes it at once (EOF, no RST) when the upstream is unreachable', async () => {
    const proxy = await newProxy('127.0.0.1:1');
    const client = await open(proxy.listen);
    expect(await endedWithin(client, CLOSE_BOUND_MS)).toBe('eof');
  });

  it('stop() closes every listener and connection and is safe to call twice', async () => {
    const own = await new BuiltinToxiproxy({ port: 0 }).start();
    const ownClient = new Toxiproxy(own.getApiUrl());
    expect(own.getApiUrl()).toBe(`http://127.0.0.1:${own.getPort()}`);
    expect(own.getHost()).toBe('127.0.0.1');
    const proxy = await ownClient.createProxy({ name: 'stopped', listen: '127.0.0.1:0', upstream: echo.upstream });
    await proxy.addToxic({
      type: 'timeout',
      stream: 'downstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    } as ICreateToxicBody<unknown>);
    const held = await open(proxy.listen);
    await own.stop();
    await own.stop();
    expect(await endedWithin(held, CLOSE_BOUND_MS)).not.toBe('open');
    expect(await tryConnect(proxy.listen)).toBe('ECONNREFUSED');
    await expect(fetch(`${own.getApiUrl()}/version`)).rejects.toThrow();
  });

  it('disposes with `await using`', async () => {
    let url: string;
    {
      await using disposable = await new BuiltinToxiproxy().start();
      url = disposable.getApiUrl();
      expect(await new Toxiproxy(url).getVersion()).toContain('2.12.0');
    }
    await expect(fetch(`${url}/version`)).rejects.toThrow();
  });
});
