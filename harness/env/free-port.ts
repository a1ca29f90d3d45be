import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/**
 * Ports handed to other programs (brokers, containers, a proxy's API) are chosen below the
 * kernel's ephemeral range. A port the kernel picks itself (bind to port 0) is free only until
 * it numbers the next socket from the same pool: any process's listener on port 0 or outgoing
 * connection may take it before the program it was meant for binds it (a cluster node once
 * failed to start so, with eaddrinuse). Below that range only explicit binds take ports.
 */
const LOWEST_PORT = 10_000;
const MAX_ATTEMPTS = 200;

/** The low end of the kernel's ephemeral port range (Linux), else the IANA default. */
function ephemeralRangeStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 49_152;
  } catch {
    return 49_152;
  }
}

/** A free TCP port on a loopback address, below the kernel's ephemeral range. */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await findFreePorts(1, host);
  return port!;
}

/** Several distinct free ports: held open together until all are found, so none is given twice. */
export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const end = ephemeralRangeStart();
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    for (let attempt = 0; ports.length < count && attempt < MAX_ATTEMPTS && end - LOWEST_PORT > count; attempt++) {
      const port = LOWEST_PORT + Math.floor(Math.random() * (end - LOWEST_PORT));
      if (ports.includes(port)) continue;
      const server = await listenOn(host, port);
      if (!server) continue;
      held.push(server);
      ports.push(port);
    }
    // A machine whose ephemeral range leaves no room below it: the kernel's own choice.
    while (ports.length < count) {
      const server = await listenOn(host, 0);
      if (!server) throw new Error(`no free port on ${host}`);
      held.push(server);
      ports.push((server.address() as { port: number }).port);
    }
    return ports;
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** A listening server on host:port, or undefined when the port is taken. */
function listenOn(host: string, port: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' || error.code === 'EACCES' ? resolve(undefined) : reject(error),
    );
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}
