/**
 * Whether a run puts a proxy between its processes and the broker. A proxy costs every round
 * trip a little and its tail a lot on a busy machine (harness/env/proxy/README.md#what-the-proxy-costs),
 * so a run uses one only when a fault acts through it, or when asked to.
 */
import { describeFault } from '../chaos/fault-spec.ts';
import { networkFaults } from '../chaos/network-faults.ts';
import type { ProxyChoice } from '../env/select-proxy.ts';
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';

export interface ProxyUse {
  readonly used: boolean;
  /** Why, in a few words for the header: 'no network fault scheduled', '--proxy always'. */
  readonly reason: string;
}

export const NO_NETWORK_FAULT = 'no network fault scheduled';

export function decideProxyUse(
  choice: ProxyChoice,
  definition: Pick<ScenarioDefinition, 'faults' | 'topology'>,
): ProxyUse {
  const [firstNetworkFault] = networkFaults(definition.faults);
  if (firstNetworkFault)
    return { used: true, reason: `network fault: ${describeFault(firstNetworkFault).description}` };
  if (choice !== 'auto') return { used: true, reason: `--proxy ${choice}` };
  if (definition.topology.proxy === 'always')
    return { used: true, reason: "the scenario's topology.proxy is 'always'" };
  return { used: false, reason: NO_NETWORK_FAULT };
}
