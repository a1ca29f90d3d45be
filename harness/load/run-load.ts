import { runClosedLoop } from './closed-loop.ts';
import { runConstantArrivalRate } from './constant-arrival-rate.ts';
import type { LoadOptions, LoadSummary, StartCall } from './load-options.ts';

/** Runs whichever executor the options name; `phaseMs` delays an open loop's schedule (see CallPlan). */
export function runLoad(
  load: LoadOptions,
  startCall: StartCall,
  signal?: AbortSignal,
  phaseMs = 0,
): Promise<LoadSummary> {
  return load.executor === 'constant-arrival-rate'
    ? runConstantArrivalRate({ ...load, phaseMs }, startCall, signal)
    : runClosedLoop(load, startCall, signal);
}
