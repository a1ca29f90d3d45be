import { connect, createServer, type NetConnectOpts, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { apiErrors } from './api-error.ts';
import { registerInProcessListener } from './in-process-link.ts';
import { ProxiedConnection, type ConnectionOwner } from './proxied-connection.ts';
import type { Stream, ToxicJson, ToxicWrapper } from './toxic-wrapper.ts';
import { localAddressOptions } from '../local-address.ts';

/**
 * Write buffer per socket before write() asks the link to pause its source. With Node's 16 KiB
 * default, every 64 KiB read overflows it: each chunk of a bulk transfer paused the source
 * (readStop) and resumed it on 'drain' (readStart), two syscalls and two loop turns per chunk.
 * 1 MiB keeps backpressure (bounded memory per direction) without that churn. Bulk throughput
 * through the proxy thread did not measurably change with it (318-524 against 353-467 MB/s,
 * alternating runs; run-to-run noise is larger), so it is kept for the fewer syscalls alone.
 */
const SOCKET_HIGH_WATER_MARK = 1024 * 1024;

/** A proxy as the API shows it; "Logger":{} is a stray exported field that real Toxiproxy emits too. */
export interface ProxyJson {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly Logger: Record<string, never>;
  readonly toxics: ToxicJson[];
}

/** A TCP proxy with its toxics, as Toxiproxy's Proxy: listen -> upstream, enabled or not. */
export class Proxy {
  private server: Server | undefined;
  private readonly connections = new Set<ProxiedConnection>();
  /** Every accepted socket, also those whose upstream never connected, so stop() leaves none open. */
  private readonly acceptedSockets = new Set<Duplex>();
  private readonly toxicList: ToxicWrapper[] = [];
  /**
   * The toxics of each stream, replaced (never changed in place) on every add and remove: links read them per chunk
   * without allocating.
   */
  private byStream: Readonly<Record<Stream, readonly ToxicWrapper[]>> = { upstream: [], downstream: [] };
  private unregisterInProcess: (() => void) | undefined;

  constructor(
    readonly name: string,
    public listen: string,
    public upstream: string,
    public enabled: boolean,
  ) {}

  toJson(): ProxyJson {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      Logger: {},
      toxics: this.toxicsJson(),
    };
  }

  /** Every upstream toxic first, then every downstream one, each in insertion order, as Toxiproxy lists them. */
  toxicsJson(): ToxicJson[] {
    return [...this.toxics('upstream'), ...this.toxics('downstream')].map((toxic) => toxic.toJson());
  }

  /** Opens the listener; `listen` becomes the bound address ("127.0.0.1:0" -> the real port). */
  async start(): Promise<void> {
    const [host, port] = splitHostPort(this.listen);
    const server = createServer(
      { allowHalfOpen: true, pauseOnConnect: true, highWaterMark: SOCKET_HIGH_WATER_MARK },
      (client) => this.accept(client),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(apiErrors.listenFailed(`listen tcp ${host}:${port}: bind: ${describeListenError(error)}`));
      });
      server.listen({ host, port, exclusive: true }, () => resolve());
    });
    server.on('error', () => undefined);
    const address = server.address();
    if (address && typeof address === 'object') {
      this.listen = `${address.address}:${address.port}`;
      // Callers in this process (the frame tap) reach this listener without a TCP hop.
      this.unregisterInProcess = registerInProcessListener(address.address, address.port, (end) => this.accept(end));
    }
    this.server = server;
    this.enabled = true;
  }

  /** Closes the listener (new connects are refused) and every open connection (clients read EOF). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.enabled = false;
    this.unregisterInProcess?.();
    this.unregisterInProcess = undefined;
    for (const connection of [...this.connections]) connection.close();
    for (const socket of this.acceptedSockets) socket.end();
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Clients read EOF first; sockets whose peer never answers the FIN are then dropped.
      const drop = setTimeout(() => {
        for (const socket of this.acceptedSockets) socket.destroy();
        for (const connection of [...this.connections]) connection.destroy();
      }, 50);
      await closed;
      clearTimeout(drop);
    }
  }

  /** A client: a socket accepted by the listener, or the proxy's end of an in-process connection. */
  private accept(client: Socket | Duplex): void {
    // In-process ends arrive flowing-capable: hold their data until the upstream answers, as pauseOnConnect does.
    client.pause();
    this.acceptedSockets.add(client);
    client.once('close', () => this.acceptedSockets.delete(client));
    const [host, port] = splitHostPort(this.upstream);
    // net.Socket hands its options to Duplex, which takes writableHighWaterMark (@types/node omits it).
    const upstream = connect({
      host,
      port: Number(port),
      allowHalfOpen: true,
      writableHighWaterMark: SOCKET_HIGH_WATER_MARK,
      ...localAddressOptions(),
    } as NetConnectOpts);
    upstream.setNoDelay(true);
    if ('setNoDelay' in client) client.setNoDelay(true);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      const connection = new ProxiedConnection(this.owner, client, upstream);
      this.connections.add(connection);
      client.resume();
    });
    // An unreachable upstream: Toxiproxy accepts the client and closes it at once (EOF).
    upstream.once('error', () => {
      if (connected) return;
      client.resume(); // read the peer's FIN, or the half-open socket would linger
      client.end();
      setTimeout(() => client.destroy(), 1000).unref();
    });
    client.on('error', () => upstream.destroy());
    // A client gone (or a proxy stopped) before the upstream answered must not leave a dial running.
    client.once('close', () => {
      if (!connected) upstream.destroy();
    });
  }

  private readonly owner: ConnectionOwner = {
    toxics: (stream) => this.byStream[stream],
    forgetConnection: (connection) => this.connections.delete(connection),
  };

  toxics(stream?: Stream): ToxicWrapper[] {
    return stream ? this.toxicList.filter((toxic) => toxic.stream === stream) : [...this.toxicList];
  }

  getToxic(name: string): ToxicWrapper {
    const toxic = this.toxicList.find((t) => t.name === name);
    if (!toxic) throw apiErrors.toxicNotFound();
    return toxic;
  }

  hasToxic(name: string): boolean {
    return this.toxicList.some((t) => t.name === name);
  }

  /** Open connections see the new toxic from their next chunk on. */
  addToxic(toxic: ToxicWrapper): void {
    if (this.hasToxic(toxic.name)) throw apiErrors.toxicExists();
    this.toxicList.push(toxic);
    this.indexToxics();
    for (const connection of this.connections) connection.startToxic(toxic);
  }

  updateToxic(
    name: string,
    change: { attributes?: Record<string, number> | undefined; toxicity?: number | undefined },
  ): ToxicWrapper {
    const toxic = this.getToxic(name);
    toxic.update(change);
    for (const connection of this.connections) connection.startToxic(toxic);
    return toxic;
  }

  removeToxic(name: string): void {
    const toxic = this.getToxic(name);
    this.toxicList.splice(this.toxicList.indexOf(toxic), 1);
    this.indexToxics();
    for (const connection of [...this.connections]) {
      const wasActing = connection.removeToxic(toxic);
      // Toxiproxy closes the connections a removed timeout toxic was holding.
      if (wasActing && toxic.behaviour.closesOnRemove) connection.close();
    }
  }

  private indexToxics(): void {
    this.byStream = { upstream: this.toxics('upstream'), downstream: this.toxics('downstream') };
  }

  removeAllToxics(): void {
    for (const toxic of [...this.toxicList]) this.removeToxic(toxic.name);
  }
}

export function splitHostPort(address: string): [string, string] {
  const index = address.lastIndexOf(':');
  if (index < 0) return [address, '0'];
  const host = address.slice(0, index).replace(/^\[|\]$/g, '');
  return [host === '' ? '127.0.0.1' : host === 'localhost' ? '127.0.0.1' : host, address.slice(index + 1)];
}

function describeListenError(error: NodeJS.ErrnoException): string {
  if (error.code === 'EADDRINUSE') return 'address already in use';
  if (error.code === 'EADDRNOTAVAIL') return 'cannot assign requested address';
  if (error.code === 'EACCES') return 'permission denied';
  return error.message;
}
