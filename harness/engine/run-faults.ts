/**
 * The run's faults, wired to what they act on: the proxies, the broker, the cluster's nodes and
 * the servers. They are armed when the load starts (run-load.ts) and ended when the run stops.
 */
import { FaultScheduler } from '../chaos/fault-scheduler.ts';
import type { FaultSpec } from '../chaos/fault-spec.ts';
import type { RunContext } from './run-context.ts';
import type { ServerFleet } from './server-fleet.ts';
import type { RunEnvironment } from './start-environment.ts';
import { brokerFaultTargets } from './broker-fault-targets.ts';

export interface RunFaults {
  readonly scheduler: FaultScheduler;
  /** Broker restarts the faults asked for. */
  brokerRestarts(): number;
}

export function scheduleFaults(
  faults: readonly FaultSpec[],
  environment: RunEnvironment,
  servers: ServerFleet,
  context: Pick<RunContext, 'clock' | 'record'>,
  queue: { readonly name: string; readonly queueType: 'classic' | 'quorum' | undefined },
): RunFaults {
  const { topology } = environment;
  let brokerRestarts = 0;
  const scheduler = new FaultScheduler(faults, {
    proxies: topology.proxying?.proxies,
    elapsedMs: context.clock.elapsedMs,
    record: context.record,
    cluster: environment.clusterRun?.faultTargets(),
    broker: brokerFaultTargets(topology, queue),
    restartBroker: async () => {
      if (!topology.broker.restart) throw new Error(`${topology.broker.describe()} cannot be restarted by the harness`);
      brokerRestarts++;
      await topology.broker.restart();
    },
    killServer: (server) => servers.kill(server),
    startServer: (server) => servers.restart(server),
    replies: servers,
  });
  return { scheduler, brokerRestarts: () => brokerRestarts };
}
