/**
 * How long clients and servers have, after the last fault that cut their connections ended, to
 * connect again and answer calls. A correct client on its library's defaults must pass: the
 * Java client's automatic recovery waits 5 s (its network recovery interval) before it
 * reconnects, so the default is those 5 s and a margin of 2 s for the reconnect itself, the
 * queue and consumer set-up, and a call answered. Scenarios and the command line
 * (`--recovery-allowance`) may change it; the recovery checks state the one they judged with.
 */
export const DEFAULT_RECOVERY_ALLOWANCE_MS = 7_000;

/** "7 s", "7.5 s": as check texts and errors show it. */
export function formatAllowance(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
