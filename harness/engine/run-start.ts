/** The start of a run: what a run that never reached its load reports, and how Ctrl-C cuts a slow start short. */
import { plannedBrokerKind } from '../env/select-broker.ts';
import { plannedProxyKind } from '../env/select-proxy.ts';
import { decideProxyUse } from './proxy-use.ts';
import type { AssembleInput, RunOptions } from './run-contract.ts';

/** Thrown inside the run when Ctrl-C came before the load: teardown runs, nothing else. */
export class InterruptedBeforeLoad extends Error {}

export const INTERRUPTED_BEFORE_LOAD = 'interrupted before the load started: nothing was measured';

/** The work's value, or 'aborted' as soon as the signal fires (the work itself goes on). */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | 'aborted'> {
  if (!signal) return work;
  if (signal.aborted) return 'aborted';
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** What a run that could not start meant to use, so its result.json says where it failed. */
export function plannedTopology(
  options: Pick<RunOptions, 'broker' | 'proxy' | 'definition'>,
): AssembleInput['topology'] {
  const broker =
    typeof options.broker === 'string'
      ? {
          kind: plannedBrokerKind(options.broker),
          version: 'not started',
          description: `not started (--broker ${options.broker})`,
        }
      : { kind: options.broker.kind, version: options.broker.getVersion(), description: options.broker.describe() };
  const proxyUse = decideProxyUse(options.proxy, options.definition);
  const proxy = proxyUse.used
    ? { kind: plannedProxyKind(options.proxy), version: 'not started', reason: proxyUse.reason }
    : { kind: 'none' as const, version: '', reason: proxyUse.reason };
  return { broker, proxy };
}

/** A failure while the run starts its processes or runs its load is a harness error; Ctrl-C before the load is not. */
export function recordFailure(error: unknown, harnessErrors: string[]): void {
  if (!(error instanceof InterruptedBeforeLoad)) harnessErrors.push((error as Error).message);
}
