import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import type { ProxyName } from '../chaos/fault-spec.ts';
import type { StartedBroker } from '../env/broker/broker.ts';
import type { StartedPrivateRabbitCluster } from '../env/cluster/private-rabbit-cluster.ts';
import { startBroker, type BrokerChoice } from '../env/select-broker.ts';
import { startProxyServer, type ProxyChoice, type StartedProxyServer } from '../env/select-proxy.ts';
import { localAddress } from '../env/local-address.ts';

/**
 * The environment of a run: a broker, a Toxiproxy-API server, and two proxies in front of
 * the broker, one for servers and one for clients, so a fault can cut either side alone.
 * Proxies are created and controlled only through toxiproxy-node-client, so the same run
 * works against real Toxiproxy (TOXIPROXY_URL).
 */
export interface Topology {
  readonly broker: StartedBroker;
  readonly proxyServer: StartedProxyServer;
  readonly toxiproxy: Toxiproxy;
  readonly proxies: Readonly<Record<ProxyName, Proxy>>;
  amqpUrlThrough(proxy: ProxyName): string;
  /** Present when the broker is a private cluster. */
  readonly cluster?: StartedPrivateRabbitCluster;
  /** One proxy per cluster node (node k at index k-1); empty for a single broker. */
  readonly nodeProxies: readonly Proxy[];
  /**
   * The URL server or client `index` (1-based) connects through: on a cluster, the proxy of
   * the node it is placed on (see placeOnNode); otherwise its role's proxy.
   */
  amqpUrlFor(role: ProxyName, index: number): string;
  stop(): Promise<void>;
}

/**
 * Spreads instances over a cluster's nodes, servers from node 1 and clients from node 2, so
 * that with one server and one client they sit on different nodes.
 */
export function placeOnNode(role: ProxyName, index: number, nodes: number): number {
  const offset = role === 'servers' ? 0 : 1;
  return ((index - 1 + offset) % nodes) + 1;
}

/**
 * `broker` is a choice (the run starts and stops its broker) or an already started broker
 * that the caller owns and stops (tests share one node across runs this way).
 */
export async function startTopology(options: {
  broker: BrokerChoice | StartedBroker;
  proxy: ProxyChoice;
  runId: string;
  nodes?: number;
  onBrokerLaunched?: () => void;
}): Promise<Topology> {
  const ownsBroker = typeof options.broker === 'string';
  const onBrokerLaunched = options.onBrokerLaunched ?? (() => undefined);
  if (!ownsBroker) onBrokerLaunched();
  // The proxy server does not need the broker: both start at once.
  const [brokerStart, proxyStart] = await Promise.allSettled([
    typeof options.broker === 'string'
      ? startBroker(options.broker, process.env, options.nodes, onBrokerLaunched)
      : Promise.resolve(options.broker),
    startProxyServer(options.proxy),
  ]);
  if (brokerStart.status === 'rejected') {
    if (proxyStart.status === 'fulfilled') await proxyStart.value.stop().catch(() => undefined);
    throw brokerStart.reason;
  }
  const broker = brokerStart.value;
  const cluster = broker.kind === 'cluster' ? (broker as StartedPrivateRabbitCluster) : undefined;
  const stopBroker = () => (ownsBroker ? broker.stop() : Promise.resolve());
  let proxyServer: StartedProxyServer | undefined;
  try {
    if (proxyStart.status === 'rejected') throw proxyStart.reason;
    proxyServer = proxyStart.value;
    const toxiproxy = new Toxiproxy(proxyServer.getApiUrl());
    const upstream = `${broker.getHost()}:${broker.getAmqpPort()}`;
    const proxies = {} as Record<ProxyName, Proxy>;
    for (const name of ['servers', 'clients'] as const) {
      // Unique names: a shared real Toxiproxy may serve several runs at once.
      proxies[name] = await toxiproxy.createProxy({
        name: `rpc-chaos-${options.runId}-${name}`,
        listen: `${localAddress() ?? '127.0.0.1'}:0`,
        upstream,
      });
    }
    const nodeProxies: Proxy[] = [];
    for (const node of cluster?.nodeInfo() ?? []) {
      nodeProxies.push(
        await toxiproxy.createProxy({
          name: `rpc-chaos-${options.runId}-node-${node.index}`,
          listen: '127.0.0.1:0',
          upstream: `${node.host}:${node.amqpPort}`,
        }),
      );
    }
    const started = proxyServer;
    const urlThrough = (proxy: Proxy) => {
      const url = new URL(broker.getAmqpUrl());
      const [host, port] = splitHostPort(proxy.listen);
      url.hostname = host;
      url.port = port;
      return url.toString();
    };
    return {
      cluster,
      nodeProxies,
      amqpUrlFor(role, index) {
        if (nodeProxies.length === 0) return urlThrough(proxies[role]);
        return urlThrough(nodeProxies[placeOnNode(role, index, nodeProxies.length) - 1] as Proxy);
      },
      broker,
      proxyServer: started,
      toxiproxy,
      proxies,
      amqpUrlThrough(name) {
        const url = new URL(broker.getAmqpUrl());
        const [host, port] = splitHostPort(proxies[name].listen);
        url.hostname = host;
        url.port = port;
        return url.toString();
      },
      async stop() {
        // Independent: the broker is not kept waiting for the proxy, nor left running when the proxy fails to stop.
        const [proxyStop, brokerStop] = await Promise.allSettled([
          (async () => {
            await Promise.allSettled([...Object.values(proxies), ...nodeProxies].map((proxy) => proxy.remove()));
            await started.stop();
          })(),
          stopBroker(),
        ]);
        for (const outcome of [proxyStop, brokerStop]) if (outcome.status === 'rejected') throw outcome.reason;
      },
    };
  } catch (error) {
    await proxyServer?.stop().catch(() => undefined);
    await stopBroker();
    throw error;
  }
}

function splitHostPort(listen: string): [string, string] {
  const index = listen.lastIndexOf(':');
  return [listen.slice(0, index) || '127.0.0.1', listen.slice(index + 1)];
}
