import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface EchoServer {
  readonly port: number;
  readonly upstream: string;
  /** Bytes the echo server has received over all its connections. */
  bytesReceived(): number;
  /** Connections the echo server still has open. */
  openConnections(): number;
  stop(): Promise<void>;
}

/** A TCP echo server on loopback for the proxy tests: what the proxy forwards comes back. */
export async function startEchoServer(): Promise<EchoServer> {
  const sockets = new Set<Socket>();
  let received = 0;
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('echo server has no address');
  return {
    port: address.port,
    upstream: `127.0.0.1:${address.port}`,
    bytesReceived: () => received,
    openConnections: () => sockets.size,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function hostPort(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  return { host: listen.slice(0, colon), port: Number(listen.slice(colon + 1)) };
}

/** A client connection with helpers to read what arrives and how it ends. */
export async function connectClient(listen: string): Promise<TestClient> {
  const socket = connect(hostPort(listen));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return new TestClient(socket);
}

/** How a connect attempt ends: 'connected' or the error code (ECONNREFUSED). */
export async function tryConnect(listen: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(hostPort(listen));
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** For a close that must come: only one that never comes within it fails, whatever the machine's load. */
export const CLOSE_BOUND_MS = 5_000;

/** Settles to how the connection ended, or 'open' if it has not within `ms`. */
export function endedWithin(client: TestClient, ms: number): Promise<TestEnd | 'open'> {
  let timer: NodeJS.Timeout | undefined;
  const open = new Promise<'open'>((resolve) => (timer = setTimeout(() => resolve('open'), ms)));
  return Promise.race([client.ended, open]).finally(() => clearTimeout(timer));
}

export type TestEnd = 'eof' | { error: string };

export class TestClient {
  readonly reads: Array<{ at: number; bytes: number }> = [];
  received = Buffer.alloc(0);
  readonly ended: Promise<TestEnd>;
  /** When the connection ended (EOF or error), on the performance.now() clock. */
  endedAt: number | undefined;

  /** A TCP socket, or a caller's end of an in-process connection (in-process-link.ts). */
  constructor(readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => {
      this.reads.push({ at: performance.now(), bytes: chunk.length });
      this.received = Buffer.concat([this.received, chunk]);
    });
    this.ended = new Promise((resolve) => {
      socket.once('end', () => {
        this.endedAt = performance.now();
        resolve('eof');
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        this.endedAt = performance.now();
        resolve({ error: error.code ?? error.message });
      });
    });
  }

  /** Sends and waits until `bytes` have come back (or the timeout passes); returns the elapsed ms. */
  async roundTrip(data: Buffer | string, bytes = Buffer.byteLength(data), timeoutMs = 5000): Promise<number> {
    const start = performance.now();
    const target = this.received.length + bytes;
    this.socket.write(data);
    while (this.received.length < target) {
      if (performance.now() - start > timeoutMs)
        throw new Error(`only ${this.received.length} of ${target} bytes arrived within ${timeoutMs} ms`);
      await sleep(1);
    }
    return performance.now() - start;
  }

  close(): void {
    this.socket.destroy();
  }
}
