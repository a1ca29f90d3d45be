/**
 * Connections to a built-in proxy from inside its own process, without a TCP hop. A proxy that
 * listens registers its address here; a caller in the same process (the AMQP frame tap) that
 * would connect to that address asks `connectInProcess` first and gets one end of an in-memory
 * duplex pair whose other end the proxy serves as if a client had connected. A real Toxiproxy,
 * or a built-in proxy in another process or thread, is not registered here: callers then use TCP.
 */
import type { Duplex } from 'node:stream';
import { duplexPair, type DuplexPairFactory } from './duplex-pair.ts';

/** Takes the proxy's end of a new in-process connection, as a listener takes an accepted socket. */
export type InProcessAcceptor = (proxyEnd: Duplex) => void;

const acceptors = new Map<string, InProcessAcceptor>();
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const WILDCARD = ['0.0.0.0', '::'];

/** Registers a listening proxy; returns the function that unregisters it. */
export function registerInProcessListener(host: string, port: number, acceptor: InProcessAcceptor): () => void {
  const key = `${host}:${port}`;
  acceptors.set(key, acceptor);
  return () => {
    if (acceptors.get(key) === acceptor) acceptors.delete(key);
  };
}

/**
 * The caller's end of a connection to the built-in proxy listening at host:port in this
 * process, or undefined when none listens there (connect over TCP then).
 */
export function connectInProcess(host: string, port: number): Duplex | undefined {
  let acceptor = acceptors.get(`${host}:${port}`);
  if (!acceptor && LOOPBACK.has(host)) {
    for (const wildcard of WILDCARD) acceptor ??= acceptors.get(`${wildcard}:${port}`);
    acceptor ??= acceptors.get(`127.0.0.1:${port}`);
  }
  if (!acceptor) return undefined;
  const [callerEnd, proxyEnd] = inProcessPair();
  acceptor(proxyEnd);
  return callerEnd;
}

/**
 * Node's `duplexPair` with TCP's ending: when one end is destroyed the other reads EOF and
 * closes too (with the error, e.g. ECONNRESET for a reset), as the peer of a closed socket does.
 */
export function inProcessPair(makePair: DuplexPairFactory = duplexPair): [Duplex, Duplex] {
  const [a, b] = makePair({ allowHalfOpen: true });
  // From Node 24 on, duplexPair passes a destroy on by itself, a tick before 'close', and drops its
  // error: the peer of a reset end closed with neither 'end' nor 'error'. Node 20 and 22 pass nothing
  // on. The stream's plain destroy on both ends leaves the ending to `follow`, the same on every version.
  for (const end of [a, b]) end._destroy = (error, callback) => callback(error);
  const follow = (from: Duplex, to: Duplex) => {
    from.once('close', () => {
      if (to.destroyed) return;
      if (from.errored) {
        to.destroy(from.errored);
        return;
      }
      // EOF first (passed on after pending data), then the close, as a FIN followed by the peer going away.
      if (!to.readableEnded) to.push(null);
      setImmediate(() => to.destroy());
    });
  };
  follow(a, b);
  follow(b, a);
  // An error on one end closes it, which the other end follows; nobody else may be listening yet.
  a.on('error', () => undefined);
  b.on('error', () => undefined);
  return [a, b];
}

/** What `resetAndDestroy` does to a socket, for an in-process end: the peer reads ECONNRESET. */
export function resetEnd(end: Duplex): void {
  const reset = (end as { resetAndDestroy?: () => unknown }).resetAndDestroy;
  if (typeof reset === 'function') {
    reset.call(end);
    return;
  }
  end.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
}
