import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, type ICreateToxicBody } from 'toxiproxy-node-client';
import { connectInProcess } from './in-process-link.ts';
import { ToxiproxyThread } from './toxiproxy-thread.ts';
import { connectClient, endedWithin, startEchoServer, type EchoServer } from './test/echo-server.ts';

let echo: EchoServer;

describe('the built-in proxy in a worker thread', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await echo?.stop();
  });

  it('serves the Toxiproxy API and forwards with toxics, and stop() ends its connections and the API', async () => {
    const thread = await new ToxiproxyThread({ port: 0 }).start();
    try {
      const toxiproxy = new Toxiproxy(thread.getApiUrl());
      expect(JSON.parse(await toxiproxy.getVersion())).toEqual({ version: '2.12.0' });
      const proxy = await toxiproxy.createProxy({ name: 'threaded', listen: '127.0.0.1:0', upstream: echo.upstream });
      const port = Number(proxy.listen.split(':')[1]);
      // Its listeners live in the worker: this thread reaches them over TCP only.
      expect(connectInProcess('127.0.0.1', port)).toBeUndefined();
      const client = await connectClient(proxy.listen);
      await client.roundTrip('hello');
      await proxy.addToxic({
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 50, jitter: 0 },
      } as ICreateToxicBody<unknown>);
      expect(await client.roundTrip('slow')).toBeGreaterThanOrEqual(50);
      await thread.stop();
      expect(await endedWithin(client, 2_000)).toBe('eof');
      await expect(toxiproxy.getVersion()).rejects.toThrow();
    } finally {
      await thread.stop();
    }
  });

  it('reports a listen failure from the thread', async () => {
    const first = await new ToxiproxyThread({ port: 0 }).start();
    try {
      await expect(new ToxiproxyThread({ port: first.getPort() }).start()).rejects.toThrow(/address already in use/);
    } finally {
      await first.stop();
    }
  });
});
