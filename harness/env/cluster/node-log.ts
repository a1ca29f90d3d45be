/**
 * What a node's own log says about its cluster, read instead of asking rabbitmqctl: each of its
 * calls starts an Erlang VM (a cluster start's one cluster_status call took 1.6-5.0 s here under
 * load 7-13).
 *
 * - Partitions: when two nodes meet again after each saw the other go down, mnesia logs
 *   `inconsistent_database, running_partitioned_network, <peer>` on the node that finds it out
 *   (RabbitMQ's partitions guide, "Detecting Network Partitions").
 * - Members: a node's rabbit_node_monitor logs "rabbit on node '<peer>' up" when a peer's rabbit
 *   joins the cluster's running nodes (what cluster_status lists as running), and "... down"
 *   when it leaves them.
 */

const PARTITION_LINE = /inconsistent_database,\s*running_partitioned_network,\s*'?([^'\s}]+)'?/g;

/** The peers a node's log reports it is partitioned from, each once, in the order reported. */
export function partitionedPeersIn(log: string): string[] {
  const peers: string[] = [];
  for (const match of log.matchAll(PARTITION_LINE)) {
    const peer = match[1] as string;
    if (!peers.includes(peer)) peers.push(peer);
  }
  return peers;
}

const PEER_RABBIT_LINE = /rabbit on node '?([^'\s]+)'? (up|down)\b/g;

/** The peers whose rabbit the log last reported up (a peer that went down and came up again counts). */
export function rabbitPeersUpIn(log: string): string[] {
  const last = new Map<string, 'up' | 'down'>();
  for (const match of log.matchAll(PEER_RABBIT_LINE)) last.set(match[1] as string, match[2] as 'up' | 'down');
  return [...last].filter(([, state]) => state === 'up').map(([peer]) => peer);
}
