/**
 * The network goes silent without closing anything: every byte either way through a proxy is
 * dropped and its connections are held open, as a dead router or a dropped VPN does. It is
 * Toxiproxy's `timeout` toxic with timeout 0 on both streams; only heartbeats tell a process
 * that its peer is gone. Removing the toxics ends it, and closes the connections they held
 * (Toxiproxy does so, and the built-in proxy as well).
 */
import type { Toxic, Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import type { ProxyName, Trigger } from './fault-trigger.ts';

export interface BlackholeFaultSpec {
  readonly kind: 'blackhole';
  readonly proxy: ProxyName;
  readonly trigger: Trigger;
  readonly durationMs: number;
}

export function describeBlackhole(fault: BlackholeFaultSpec): string {
  return `blackhole the ${fault.proxy} proxy (data dropped both ways, connections held open) for ${fault.durationMs} ms`;
}

/** Starts the blackhole on `proxy`; the returned function ends it. */
export async function startBlackhole(proxy: ToxiproxyProxy, name: string): Promise<() => Promise<void>> {
  const toxics: Toxic<unknown>[] = [];
  for (const stream of ['upstream', 'downstream'] as const) {
    toxics.push(
      await proxy.addToxic({
        name: `${name}-blackhole-${stream}`,
        type: 'timeout',
        stream,
        toxicity: 1,
        attributes: { timeout: 0 },
      }),
    );
  }
  return async () => {
    await Promise.all(toxics.map((toxic) => toxic.remove()));
  };
}
