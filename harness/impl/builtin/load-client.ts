import { pathToFileURL } from 'node:url';
import type { ClientCounters, FibRpcClientOptions, RpcReply } from '../../rpc/fib-rpc-client.ts';

/**
 * What a client worker needs from an RPC client implementation. The built-in FibRpcClient is
 * one; a negative control (a deliberately broken client that must make checks fail) is
 * another, plugged in through ClientWorkerConfig.clientModule.
 */
export interface LoadClient {
  readonly counters: Readonly<ClientCounters>;
  /**
   * True when the client publishes on a confirm channel and reports each confirm
   * (FibRpcClientOptions.confirmRequests).
   */
  readonly confirmsRequests?: boolean;
  /** Calls waiting for a reply now (the pending-call table's size); absent: the client cannot tell. */
  readonly inFlight?: number;
  start(): Promise<unknown>;
  request(n: number): Promise<RpcReply>;
  requestRaw(body: Buffer): Promise<RpcReply>;
  close(): Promise<void>;
}

/** The default export of a client module. */
export type CreateLoadClient = (options: FibRpcClientOptions) => LoadClient;

/** Loads a client module's factory, or says clearly what the module lacks. */
export async function loadClientModule(modulePath: string): Promise<CreateLoadClient> {
  const loaded = (await import(pathToFileURL(modulePath).href)) as { default?: unknown };
  if (typeof loaded.default !== 'function') {
    throw new Error(
      `client module ${modulePath} must default-export a function (options) => client, got ${typeof loaded.default}`,
    );
  }
  return loaded.default as CreateLoadClient;
}
