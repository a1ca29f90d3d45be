/**
 * The address a process tree binds its own connections to. An execution segment on a
 * machine of its own simply has its own address; segments simulated on one machine each
 * take one loopback address (127.0.0.11, 127.0.0.12, ...), so the broker sees them as
 * separate hosts. Set by `--local-address` and inherited through the environment by every
 * worker process, as AMQP_URL is.
 */
import { isIP } from 'node:net';

export const LOCAL_ADDRESS_ENV = 'RPC_CHAOS_LOCAL_ADDRESS';

/** The configured address, or undefined for the system's choice. */
export function localAddress(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[LOCAL_ADDRESS_ENV]?.trim();
  return value ? value : undefined;
}

/** Socket options for `net.connect` and `amqplib.connect`: bind the local end when configured. */
export function localAddressOptions(env: NodeJS.ProcessEnv = process.env): { localAddress?: string } {
  const address = localAddress(env);
  return address === undefined ? {} : { localAddress: address };
}

/** Why an address cannot be bound to, or undefined when it is an IPv4 or IPv6 literal. */
export function validateLocalAddress(address: string): string | undefined {
  return isIP(address) === 0 ? `--local-address must be an IP address such as 127.0.0.11, got "${address}"` : undefined;
}

/**
 * amqplib socket options with the local address bound when configured. amqplib hands its
 * socket options to `net.connect`, which takes `localAddress`; its own type (TLS options)
 * does not list it.
 */
export function amqpSocketOptions<T extends object>(base: T): T {
  return { ...base, ...localAddressOptions() };
}
