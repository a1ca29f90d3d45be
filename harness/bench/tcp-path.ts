/**
 * Raw TCP measurements of one path (direct, or through a proxy listener): ping-pong latency of
 * small messages and one-way bulk throughput. The echo and sink servers run in this process;
 * the proxy runs wherever its owner put it (another thread or process).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createLatencyHistogram } from '../observe/histogram.ts';
import { summarize } from '../observe/latency-summary.ts';

export interface PingPongSample {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly roundTrips: number;
}

export interface BulkSample {
  readonly megabytesPerSec: number;
  readonly bytes: number;
}

/** A loopback server: `echo` sends every byte back, `sink` counts and discards them. */
export interface TcpTarget {
  readonly port: number;
  readonly upstream: string;
  /** Resolves once the sink has received `bytes` in total since the last call. */
  sinkReceived(bytes: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startTcpTarget(kind: 'echo' | 'sink'): Promise<TcpTarget> {
  const sockets = new Set<Socket>();
  let received = 0;
  let waiter: { bytes: number; resolve: () => void } | undefined;
  const server: Server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (kind === 'echo') {
      socket.pipe(socket);
      return;
    }
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (waiter && received >= waiter.bytes) {
        const done = waiter.resolve;
        waiter = undefined;
        received = 0;
        done();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    upstream: `127.0.0.1:${port}`,
    sinkReceived: (bytes) =>
      new Promise<void>((resolve) => {
        if (received >= bytes) {
          received = 0;
          resolve();
        } else waiter = { bytes, resolve };
      }),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function open(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/** `roundTrips` messages of `size` bytes, each sent once the previous one came back whole. */
export async function measurePingPong(
  port: number,
  options: { roundTrips: number; size: number; timeoutMs?: number },
): Promise<PingPongSample> {
  const socket = await open(port);
  const histogram = createLatencyHistogram();
  const message = Buffer.alloc(options.size, 0x61);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`ping-pong through port ${port}: not done within ${options.timeoutMs ?? 60_000} ms`)),
        options.timeoutMs ?? 60_000,
      );
      let sent = 0;
      let pending = 0;
      let startedAt = 0;
      const sendNext = () => {
        sent++;
        pending = options.size;
        startedAt = performance.now();
        socket.write(message);
      };
      socket.on('data', (chunk: Buffer) => {
        pending -= chunk.length;
        if (pending > 0) return;
        histogram.recordValue(Math.max(1, Math.round((performance.now() - startedAt) * 1000)));
        if (sent < options.roundTrips) sendNext();
        else {
          clearTimeout(timer);
          resolve();
        }
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      sendNext();
    });
  } finally {
    socket.destroy();
  }
  const latency = summarize(histogram);
  return { p50Ms: latency.p50, p99Ms: latency.p99, roundTrips: latency.count };
}

/** Writes `bytes` in 64 KiB chunks (with backpressure) and times until the sink has them all. */
export async function measureBulk(
  port: number,
  sink: TcpTarget,
  options: { bytes: number; timeoutMs?: number },
): Promise<BulkSample> {
  const socket = await open(port);
  const chunk = Buffer.alloc(64 * 1024, 0x62);
  try {
    const startedAt = performance.now();
    const received = sink.sinkReceived(options.bytes);
    let written = 0;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      const pump = () => {
        while (written < options.bytes) {
          const piece = written + chunk.length <= options.bytes ? chunk : chunk.subarray(0, options.bytes - written);
          written += piece.length;
          if (!socket.write(piece)) {
            socket.once('drain', pump);
            return;
          }
        }
        resolve();
      };
      pump();
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      received,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `bulk through port ${port}: the sink did not get ` +
                  `${options.bytes} bytes within ${options.timeoutMs ?? 60_000} ms`,
              ),
            ),
          options.timeoutMs ?? 60_000,
        );
      }),
    ]);
    clearTimeout(timer);
    const seconds = (performance.now() - startedAt) / 1000;
    return { megabytesPerSec: options.bytes / 1e6 / seconds, bytes: options.bytes };
  } finally {
    socket.destroy();
  }
}
