import { createServer, type Server } from 'node:http';
import { handleApiRequest } from './http-api.ts';
import { ProxyRegistry } from './proxy-registry.ts';

export interface BuiltinToxiproxyOptions {
  /** API address; loopback by default. */
  readonly host?: string;
  /** 0 picks a free port. Toxiproxy's default is 8474. */
  readonly port?: number;
}

/**
 * The built-in fault proxy: Toxiproxy's HTTP API and toxic semantics in this process, so
 * scenarios drive it with toxiproxy-node-client exactly as they would drive real Toxiproxy.
 *
 *   await using proxyServer = await new BuiltinToxiproxy({ port: 0 }).start();
 *   const toxiproxy = new Toxiproxy(proxyServer.getApiUrl());
 */
export class BuiltinToxiproxy {
  private readonly host: string;
  private readonly port: number;

  constructor(options: BuiltinToxiproxyOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? 0;
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 65_535)
      throw new RangeError(`port must be from 0 to 65535, got ${this.port}`);
  }

  async start(): Promise<StartedBuiltinToxiproxy> {
    const registry = new ProxyRegistry();
    const server = createServer((request, response) => {
      void handleApiRequest(registry, request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          new Error(
            `the built-in Toxiproxy API could not listen on ${this.host}:${this.port}: ` +
              `${error.code === 'EADDRINUSE' ? 'address already in use' : error.message}`,
          ),
        );
      });
      server.listen({ host: this.host, port: this.port, exclusive: true }, () => resolve());
    });
    return new StartedBuiltinToxiproxy(server, registry);
  }
}

export class StartedBuiltinToxiproxy {
  private stopped = false;
  // Kept from start: after stop() the server no longer has an address, but callers may still log the URL.
  private readonly host: string;
  private readonly port: number;

  constructor(
    private readonly server: Server,
    private readonly registry: ProxyRegistry,
  ) {
    const address = server.address();
    if (!address || typeof address !== 'object')
      throw new Error('the built-in Toxiproxy API server has no TCP address after listening');
    this.host = address.address;
    this.port = address.port;
  }

  getHost(): string {
    return this.host;
  }

  getPort(): number {
    return this.port;
  }

  /** e.g. http://127.0.0.1:8474 (an IPv6 host in brackets). */
  getApiUrl(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  /** Closes every proxy listener and connection, then the API. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.registry.stopAll();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
