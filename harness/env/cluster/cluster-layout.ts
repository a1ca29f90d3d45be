/**
 * Where the nodes of a private cluster live: one loopback address, node name, AMQP and
 * distribution port and data directory per node, plus what they share (one epmd port, an
 * Erlang cookie, the partition-handling mode and net_ticktime). Each node gets its own
 * address so that packets between two nodes can be dropped without touching anything else
 * (Linux routes all of 127.0.0.0/8 to lo); the addresses are picked per run, so two clusters
 * on one machine never share a partition rule.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { chownSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateNodeDefinitions } from '../broker/expired-requests.ts';
import { findFreePorts } from '../free-port.ts';
import { prepareBrokerPluginsDir } from '../broker/broker-plugins-dir.ts';

/** Debian's rabbitmq runs as this user; as root we must hand it the node's directories. */
const RABBITMQ_USER_HOME = '/var/lib/rabbitmq';

export type PartitionHandling = 'pause_minority' | 'autoheal' | 'ignore';
export const PARTITION_HANDLING_MODES: readonly PartitionHandling[] = ['pause_minority', 'autoheal', 'ignore'];

export interface ClusterNodeLayout {
  /** 1-based. */
  readonly index: number;
  readonly ip: string;
  /** A long name on the node's own address, e.g. rpc-chaos-123-1@127.41.7.1: resolves without DNS. */
  readonly nodeName: string;
  readonly amqpPort: number;
  readonly distPort: number;
  readonly dir: string;
}

export interface ClusterLayout {
  readonly baseDir: string;
  readonly epmdPort: number;
  readonly cookie: string;
  readonly netTicktimeSeconds: number;
  readonly partitionHandling: PartitionHandling;
  readonly nodes: readonly ClusterNodeLayout[];
  /** Set when we are root: the nodes run as Debian's rabbitmq user. */
  readonly runAs?: { readonly uid: number; readonly gid: number };
  /**
   * The nodes' plugins directory: links to only the applications a broker without plugins needs (see
   * broker/broker-plugins-dir.ts).
   */
  readonly pluginsDir?: string;
}

export interface LayoutOptions {
  readonly nodes: number;
  readonly namePrefix: string;
  readonly netTicktimeSeconds: number;
  readonly partitionHandling: PartitionHandling;
}

/** A 127.a.b.0/24 block for this run; node k listens on 127.a.b.k. */
function pickAddressBlock(): string {
  return `127.${randomInt(16, 250)}.${randomInt(1, 250)}`;
}

export async function prepareClusterLayout(options: LayoutOptions): Promise<ClusterLayout> {
  const baseDir = mkdtempSync(join(tmpdir(), 'rpc-chaos-cluster-'));
  const block = pickAddressBlock();
  const [epmdPort] = (await findFreePorts(1)) as [number];
  const nodes: ClusterNodeLayout[] = [];
  for (let index = 1; index <= options.nodes; index++) {
    const ip = `${block}.${index}`;
    const [amqpPort, distPort] = (await findFreePorts(2, ip)) as [number, number];
    const dir = join(baseDir, `node-${index}`);
    nodes.push({ index, ip, nodeName: `${options.namePrefix}-${process.pid}-${index}@${ip}`, amqpPort, distPort, dir });
  }
  const layout: ClusterLayout = {
    baseDir,
    epmdPort,
    cookie: randomBytes(16).toString('hex').toUpperCase(),
    netTicktimeSeconds: options.netTicktimeSeconds,
    partitionHandling: options.partitionHandling,
    nodes,
  };
  writeFileSync(join(baseDir, '.erlang.cookie'), layout.cookie, { mode: 0o400 });
  for (const node of nodes) writeNodeFiles(layout, node);
  // Without an installed plugins directory the nodes keep rabbitmq-server's default.
  const withPlugins = (done: ClusterLayout): ClusterLayout => {
    // Linked after the chown, which would follow the links into the system's directories.
    const pluginsDir = prepareBrokerPluginsDir(join(baseDir, 'plugins'));
    return pluginsDir === undefined ? done : { ...done, pluginsDir };
  };
  if (process.getuid?.() !== 0) return withPlugins(layout);
  // Debian's script would `su rabbitmq`; we run as that user directly so the process group is ours.
  const { uid, gid } = statSync(RABBITMQ_USER_HOME);
  chownTree(baseDir, uid, gid);
  return withPlugins({ ...layout, runAs: { uid, gid } });
}

function writeNodeFiles(layout: ClusterLayout, node: ClusterNodeLayout): void {
  for (const dir of ['mnesia', 'log']) mkdirSync(join(node.dir, dir), { recursive: true });
  writeFileSync(join(node.dir, 'rabbitmq.config'), nodeConfig(layout, node));
  writeFileSync(join(node.dir, 'definitions.json'), JSON.stringify(privateNodeDefinitions()));
  writeFileSync(join(node.dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(node.dir, 'rabbitmq-env.conf'), '');
}

/**
 * The node's configuration in Erlang terms (rabbitmq.config) rather than rabbitmq.conf: the
 * new format is translated by cuttlefish at every boot, which costs each node 1-2 s of CPU,
 * and three nodes booting at once on two cores wait for each other's CPU. Our own file in any
 * case: the machine's /etc/rabbitmq/rabbitmq.conf may pin port 5672.
 */
export function nodeConfig(layout: ClusterLayout, node: ClusterNodeLayout): string {
  // Node 1 seeds the cluster; the others list only it. Fresh nodes that all list each other
  // start in parallel, contend for the discovery lock and wait 30 s on each other's tables.
  const seed = layout.nodes[0] as ClusterNodeLayout;
  const discovery =
    node.index === 1
      ? ''
      : `{cluster_nodes, {['${seed.nodeName}'], disc}},
   {cluster_formation, [{peer_discovery_backend, rabbit_peer_discovery_classic_config},
                        {discovery_retry_limit, 60}, {discovery_retry_interval, 500}]},
   `;
  // Every node names the definitions (guest, '/', the expired-requests policy): a node without
  // them creates the default user at boot and fails with user_already_exists once it has
  // joined. Fresh nodes booting together all import them (the cluster's hash is not there yet);
  // skip_if_unchanged keeps a restarted node from importing them again.
  return `[
 {rabbit, [
   {tcp_listeners, [{"${node.ip}", ${node.amqpPort}}]},
   {loopback_users, []},
   {cluster_partition_handling, ${layout.partitionHandling}},
   ${discovery}{definitions, [{import_backend, rabbit_definitions_import_local_filesystem},
                  {local_path, "${join(node.dir, 'definitions.json')}"},
                  {skip_if_unchanged, true}]}
 ]}
].
`;
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (!statSync(path).isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), uid, gid);
}

/** The environment of a node's `rabbitmq-server` (see DESIGN "Environments"). */
export function nodeEnvironment(layout: ClusterLayout, node: ClusterNodeLayout): Record<string, string> {
  const erlangIp = node.ip.split('.').join(',');
  return {
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    // The cluster's cookie is $HOME/.erlang.cookie, shared by the nodes and our rabbitmqctl calls.
    HOME: layout.baseDir,
    LANG: 'C.UTF-8',
    RABBITMQ_USE_LONGNAME: 'true',
    RABBITMQ_NODENAME: node.nodeName,
    RABBITMQ_NODE_IP_ADDRESS: node.ip,
    RABBITMQ_NODE_PORT: String(node.amqpPort),
    RABBITMQ_DIST_PORT: String(node.distPort),
    ERL_EPMD_PORT: String(layout.epmdPort),
    RABBITMQ_MNESIA_BASE: join(node.dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(node.dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(node.dir, 'enabled_plugins'),
    ...(layout.pluginsDir === undefined ? {} : { RABBITMQ_PLUGINS_DIR: layout.pluginsDir }),
    RABBITMQ_PID_FILE: join(node.dir, 'rabbit.pid'),
    RABBITMQ_CONFIG_FILE: join(node.dir, 'rabbitmq.config'),
    RABBITMQ_CONF_ENV_FILE: join(node.dir, 'rabbitmq-env.conf'),
    // Listen on the node's own address and connect from it too, so partition rules can tell
    // the nodes apart by source address. One scheduler per node: three nodes share few cores.
    ERL_FLAGS:
      `-kernel inet_dist_use_interface {${erlangIp}} -kernel inet_dist_connect_options [{ip,{${erlangIp}}}] ` +
      `-kernel net_ticktime ${layout.netTicktimeSeconds}`,
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '+S 1:1 +A 8',
  };
}
