import amqp from 'amqplib';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { startProxyServer, type StartedProxyServer } from '../env/select-proxy.ts';
import { AmqpFrameTap, type StartedAmqpFrameTap } from './amqp-frame-tap.ts';
import { type ConnectionChange, ConnectionHistory } from './connection-history.ts';

let node: StartedPrivateRabbitNode;
let proxyServer: StartedProxyServer;
let proxy: Proxy;
let upstream: { host: string; port: number };

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const setEnabled = (enabled: boolean) => proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream });

async function followedTap(): Promise<{ tap: StartedAmqpFrameTap; history: ConnectionHistory; changes: string[] }> {
  const tap = await new AmqpFrameTap({ upstream, name: 'client-1' }).start();
  const changes: string[] = [];
  const history = new ConnectionHistory().follow(tap, (change: ConnectionChange) => changes.push(change.kind));
  return { tap, history, changes };
}

describe('ConnectionHistory: one process connections as its tap saw them', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode().withStartTimeout(100_000).start();
    proxyServer = await startProxyServer('auto');
    proxy = await new Toxiproxy(proxyServer.getApiUrl()).createProxy({
      name: `history-test-${process.pid}`,
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${node.getAmqpPort()}`,
    });
    upstream = { host: '127.0.0.1', port: Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1)) };
  });
  afterAll(async () => {
    await proxy?.remove().catch(() => undefined);
    await proxyServer?.stop();
    await node?.stop();
  });

  it('does not count a connection the process closed itself as lost', async () => {
    const { tap, history, changes } = await followedTap();
    try {
      const connection = await amqp.connect(tap.getAmqpUrl(node.getAmqpUrl()));
      await connection.close();
      await waitFor(() => tap.counters.openConnections === 0, 'the close');
      expect(history.counts).toEqual({ established: 1, lost: 0, reestablished: 0, failedAttempts: 0 });
      expect(changes).toEqual([]);
    } finally {
      await tap.stop();
    }
  });

  it('puts a connection the process dropped without connection.close on the timeline, not among the losses', async () => {
    const { tap, history, changes } = await followedTap();
    const url = tap.getAmqpUrl(node.getAmqpUrl());
    try {
      const first = await amqp.connect(url);
      first.on('error', () => undefined);
      // As a client does on a missed heartbeat: its socket goes, with no connection.close.
      (first as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      await waitFor(() => tap.counters.openConnections === 0, 'the drop');
      const second = await amqp.connect(url);
      await second.close();
      await waitFor(() => tap.counters.openConnections === 0, 'the close');
      expect(history.counts).toEqual({ established: 2, lost: 0, reestablished: 0, failedAttempts: 0 });
      expect(changes).toEqual(['connection-lost', 'reconnect']);
    } finally {
      await tap.stop();
    }
  });

  it('counts a connection the proxy cut as lost, attempts while it is down as failed, the next one as re-established', async () => {
    const { tap, history, changes } = await followedTap();
    const url = tap.getAmqpUrl(node.getAmqpUrl());
    try {
      const first = await amqp.connect(url);
      first.on('error', () => undefined);
      const closed = new Promise((resolve) => first.once('close', resolve));
      const cutAt = Date.now();
      await setEnabled(false);
      await closed;
      // The loss is known to the tap by the time the process sees its connection close.
      expect(history.counts.lost).toBe(1);
      expect(history.lostBetween(cutAt, Date.now())).toBe(true);
      expect(history.lostBetween(Date.now() + 1, Date.now() + 1_000)).toBe(false);
      await expect(amqp.connect(url)).rejects.toThrow();
      await waitFor(() => history.counts.failedAttempts === 1, 'the failed attempt');
      expect(history.counts.reestablished).toBe(0);
      await setEnabled(true);
      const second = await amqp.connect(url);
      await second.close();
      await waitFor(() => tap.counters.openConnections === 0, 'the close');
      expect(history.counts).toEqual({ established: 2, lost: 1, reestablished: 1, failedAttempts: 1 });
      expect(changes).toEqual(['connection-lost', 'reconnect']);
    } finally {
      await setEnabled(true);
      await tap.stop();
    }
  });
});
