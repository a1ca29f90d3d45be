import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP echo server on loopback for the proxy tests: what the proxy forwards comes back. */
export async function startEchoServer(): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('echo server has no address');
  return {
    port: address.port,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A client connection with helpers to read what arrives and how it ends. */
export async function connectClient(listen: string): Promise<TestClient> {
  const [host, port] = [listen.slice(0, listen.lastIndexOf(':')), Number(listen.slice(listen.lastIndexOf(':') + 1))];
  const socket = connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return new TestClient(socket);
}

export class TestClient {
  readonly reads: Array<{ at: number; bytes: number }> = [];
  received = Buffer.alloc(0);
  readonly ended: Promise<'eof' | { error: string }>;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.reads.push({ at: performance.now(), bytes: chunk.length });
      this.received = Buffer.concat([this.received, chunk]);
    });
    this.ended = new Promise((resolve) => {
      socket.once('end', () => resolve('eof'));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
  }

  /** Sends and waits until `bytes` have come back (or the timeout passes); returns the elapsed ms. */
  async roundTrip(data: Buffer | string, bytes = Buffer.byteLength(data), timeoutMs = 5000): Promise<number> {
    const start = performance.now();
    const target = this.received.length + bytes;
    this.socket.write(data);
    while (this.received.length < target) {
      if (performance.now() - start > timeoutMs) throw new Error(`only ${this.received.length} of ${target} bytes arrived within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return performance.now() - start;
  }

  close(): void {
    this.socket.destroy();
  }
}
