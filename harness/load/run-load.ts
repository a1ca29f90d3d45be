import { runClosedLoop } from './closed-loop.ts';
import { runConstantArrivalRate } from './constant-arrival-rate.ts';
import type { LoadOptions, LoadSummary, StartCall } from './load-options.ts';

/** Runs whichever executor the options name. */
export function runLoad(load: LoadOptions, startCall: StartCall, signal?: AbortSignal): Promise<LoadSummary> {
  return load.executor === 'constant-arrival-rate'
    ? runConstantArrivalRate(load, startCall, signal)
    : runClosedLoop(load, startCall, signal);
}
