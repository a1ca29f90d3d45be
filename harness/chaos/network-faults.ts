/**
 * Faults that act through the proxy (toxics, a proxy taken down, its connections closed). A run
 * that schedules none needs no proxy between its processes and the broker.
 */
import type { FaultSpec } from './fault-spec.ts';

const NETWORK_FAULT_KINDS: ReadonlySet<FaultSpec['kind']> = new Set([
  'toxic',
  'disable-proxy',
  'close-connections',
  'blackhole',
]);

export function isNetworkFault(fault: FaultSpec): boolean {
  return NETWORK_FAULT_KINDS.has(fault.kind);
}

export function networkFaults(faults: readonly FaultSpec[]): FaultSpec[] {
  return faults.filter(isNetworkFault);
}
