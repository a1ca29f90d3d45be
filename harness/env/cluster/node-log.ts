/**
 * What a node's own log says about its cluster, read instead of asking rabbitmqctl: each of its
 * calls starts an Erlang VM (a cluster start's one cluster_status call took 1.6-5.0 s here under
 * load 7-13).
 *
 * - Partitions: when two nodes meet again after each saw the other go down, mnesia logs
 *   `inconsistent_database, running_partitioned_network, <peer>` on the node that finds it out
 *   (RabbitMQ's partitions guide, "Detecting Network Partitions").
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

