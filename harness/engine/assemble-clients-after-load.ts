/**
 * Per client, what the no-reply checks judge (model/client-resources.ts): the calls it still
 * held after its load, from its final tally, and its RSS series.
 */
import type { ClientTally } from '../impl/instance-report.ts';
import type { ReportingInstance } from '../impl/implementation.ts';
import type { ClientAfterLoad, RssSample } from '../model/client-resources.ts';

export function clientsAfterLoad(
  clients: readonly ReportingInstance[],
  tallies: ReadonlyMap<string, ClientTally>,
  rss: ReadonlyMap<string, readonly RssSample[]> | undefined,
): ClientAfterLoad[] {
  return clients.map((client) => {
    // Only the final tally was taken after the load: a running one says nothing about the end.
    const final = client.final?.client;
    const tally = final ?? tallies.get(client.name);
    return {
      process: client.name,
      // An external client's tally carries its line-protocol violations; the built-in one's does not.
      seenBy: tally?.protocolViolations === undefined ? 'client' : 'line protocol',
      pendingAtEnd: final?.pendingAtEnd,
      rss: rss?.get(client.name) ?? [],
    };
  });
}
