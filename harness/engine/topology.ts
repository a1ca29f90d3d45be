import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import type { ProxyName } from '../chaos/fault-spec.ts';
import type { StartedBroker } from '../env/broker/broker.ts';
import type { StartedPrivateRabbitCluster } from '../env/cluster/private-rabbit-cluster.ts';
import { startBroker, type BrokerChoice } from '../env/select-broker.ts';
import { startProxyServer, type ProxyChoice, type StartedProxyServer } from '../env/select-proxy.ts';
import { localAddress } from '../env/local-address.ts';

/**
 * The environment of a run: a broker and, when the run uses a proxy (engine/proxy-use.ts), a
 * Toxiproxy-API server with two proxies in front of the broker, one for servers and one for
 * clients, so a fault can cut either side alone. Proxies are created and controlled only
 * through toxiproxy-node-client, so the same run works against real Toxiproxy (TOXIPROXY_URL).
 */
export interface Topology {
  readonly broker: StartedBroker;
  /** Absent when the run uses no proxy: every process then connects to the broker itself. */
  readonly proxying?: Proxying;
  /** Present when the broker is a private cluster. */
  readonly cluster?: StartedPrivateRabbitCluster;
  /**
   * The URL server or client `index` (1-based) connects through: on a cluster, the proxy of
   * the node it is placed on (see placeOnNode); otherwise its role's proxy. Without a proxy,
   * the same as directUrlFor.
   */
  amqpUrlFor(role: ProxyName, index: number): string;
  /**
   * Every node's URL in node order, the way amqpUrlFor gives each (through its proxy, if
   * any), so an instance can fail over to a live node; on a single broker, the one URL.
   */
  amqpUrlsFor(role: ProxyName): string[];
  /** The broker (or the cluster node) that instance reaches, without the proxy. */
  directUrlFor(role: ProxyName, index: number): string;
  stop(): Promise<void>;
}

/** The proxy server and the proxies a run created on it. */
export interface Proxying {
  readonly proxyServer: StartedProxyServer;
  readonly toxiproxy: Toxiproxy;
  readonly proxies: Readonly<Record<ProxyName, Proxy>>;
  /** One proxy per cluster node (node k at index k-1); empty for a single broker. */
  readonly nodeProxies: readonly Proxy[];
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
 * that the caller owns and stops (tests share one node across runs this way). `proxy`
 * 'none' starts no proxy server.
 */
export async function startTopology(options: {
  broker: BrokerChoice | StartedBroker;
  proxy: ProxyChoice | 'none';
  runId: string;
  nodes?: number;
  onBrokerLaunched?: () => void;
}): Promise<Topology> {
  const ownsBroker = typeof options.broker === 'string';
  const onBrokerLaunched = options.onBrokerLaunched ?? (() => undefined);
  if (!ownsBroker) onBrokerLaunched();
  const { proxy } = options;
  // The proxy server does not need the broker: both start at once.
  const [brokerStart, proxyStart] = await Promise.allSettled([
    typeof options.broker === 'string'
      ? startBroker(options.broker, process.env, options.nodes, onBrokerLaunched)
      : Promise.resolve(options.broker),
    proxy === 'none' ? Promise.resolve(undefined) : startProxyServer(proxy),
  ]);
  if (brokerStart.status === 'rejected') {
    if (proxyStart.status === 'fulfilled') await proxyStart.value?.stop().catch(() => undefined);
    throw brokerStart.reason;
  }
  const broker = brokerStart.value;
  const cluster = broker.kind === 'cluster' ? (broker as StartedPrivateRabbitCluster) : undefined;
  const stopBroker = () => (ownsBroker ? broker.stop() : Promise.resolve());
  let proxyServer: StartedProxyServer | undefined;
  try {
    if (proxyStart.status === 'rejected') throw proxyStart.reason;
    proxyServer = proxyStart.value;
    const proxying = proxyServer ? await createProxies(proxyServer, broker, cluster, options.runId) : undefined;
    const directUrlFor = (role: ProxyName, index: number) =>
      cluster ? cluster.nodeAmqpUrl(placeOnNode(role, index, cluster.nodeInfo().length)) : broker.getAmqpUrl();
    const nodeUrl = (role: ProxyName, node: number) => {
      if (!proxying) return cluster ? cluster.nodeAmqpUrl(node) : broker.getAmqpUrl();
      const { proxies, nodeProxies } = proxying;
      if (nodeProxies.length === 0) return urlThrough(broker, proxies[role]);
      return urlThrough(broker, nodeProxies[node - 1] as Proxy);
    };
    const nodes = cluster?.nodeInfo().length ?? 1;
    return {
      cluster,
      broker,
      proxying,
      directUrlFor,
      amqpUrlFor: (role, index) => nodeUrl(role, placeOnNode(role, index, nodes)),
      amqpUrlsFor: (role) => Array.from({ length: nodes }, (_, k) => nodeUrl(role, k + 1)),
      async stop() {
        // Independent: the broker is not kept waiting for the proxy, nor left running when the proxy fails to stop.
        const [proxyStop, brokerStop] = await Promise.allSettled([
          (async () => {
            if (!proxying) return;
            const { proxies, nodeProxies } = proxying;
            await Promise.allSettled([...Object.values(proxies), ...nodeProxies].map((each) => each.remove()));
            await proxying.proxyServer.stop();
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

async function createProxies(
  proxyServer: StartedProxyServer,
  broker: StartedBroker,
  cluster: StartedPrivateRabbitCluster | undefined,
  runId: string,
): Promise<Proxying> {
  const toxiproxy = new Toxiproxy(proxyServer.getApiUrl());
  const upstream = `${broker.getHost()}:${broker.getAmqpPort()}`;
  const proxies = {} as Record<ProxyName, Proxy>;
  for (const name of ['servers', 'clients'] as const) {
    // Unique names: a shared real Toxiproxy may serve several runs at once.
    proxies[name] = await toxiproxy.createProxy({
      name: `rpc-chaos-${runId}-${name}`,
      listen: `${localAddress() ?? '127.0.0.1'}:0`,
      upstream,
    });
  }
  const nodeProxies: Proxy[] = [];
  for (const node of cluster?.nodeInfo() ?? []) {
    nodeProxies.push(
      await toxiproxy.createProxy({
        name: `rpc-chaos-${runId}-node-${node.index}`,
        listen: '127.0.0.1:0',
        upstream: `${node.host}:${node.amqpPort}`,
      }),
    );
  }
  return { proxyServer, toxiproxy, proxies, nodeProxies };
}

/** The broker's URL (credentials, vhost) with the proxy's listen address in place of the broker's. */
function urlThrough(broker: StartedBroker, proxy: Proxy): string {
  const url = new URL(broker.getAmqpUrl());
  const [host, port] = splitHostPort(proxy.listen);
  url.hostname = host;
  url.port = port;
  return url.toString();
}

function splitHostPort(listen: string): [string, string] {
  const index = listen.lastIndexOf(':');
  return [listen.slice(0, index) || '127.0.0.1', listen.slice(index + 1)];
}
