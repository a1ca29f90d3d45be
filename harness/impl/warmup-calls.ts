/**
 * The warm-up both wings run before the measured load (harness/model/warmup.ts): calls one after
 * the other, so a client that sets itself up at its first call does so once, each bounded by the
 * caller's own timeout. A failed warm-up call is reported, never thrown: it does not fail a run.
 */
import type { WarmupOutcome } from '../model/warmup.ts';

export type WarmupCallResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

export async function runWarmupCalls(
  clientName: string,
  calls: number,
  call: (index: number) => Promise<WarmupCallResult>,
): Promise<WarmupOutcome> {
  let answered = 0;
  const failures: string[] = [];
  for (let index = 1; index <= calls; index++) {
    let result: WarmupCallResult;
    try {
      result = await call(index);
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    if (result.ok) answered++;
    else failures.push(`${clientName}: warm-up call ${index}: ${result.error}`);
  }
  return { sent: calls, answered, failures };
}
