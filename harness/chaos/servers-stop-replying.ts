/**
 * The servers-stop-replying fault: every server keeps consuming and acking requests but
 * publishes no reply, as a server whose reply path broke silently would (a handler that
 * swallows its error, a reply publish on a dead channel nobody checks). Clients see only
 * silence, so every call must end by its own timeout and leave nothing behind in the client.
 * A server is told through its implementation's control channel (the built-in server's IPC);
 * one that starts while the fault lasts starts withholding.
 */
import type { ServersStopReplyingSpec } from './fault-spec.ts';

/** What the fault acts on: all servers of the run, now and until told otherwise. */
export interface ReplyWithholding {
  withholdReplies(withhold: boolean): Promise<void>;
}

/** How the scheduler lets a fault last: a window closed after `durationMs`, or at the run's end without it. */
export type OpenWindow = (durationMs: number | undefined, close: () => Promise<void>) => void;

export async function executeServersStopReplying(
  spec: ServersStopReplyingSpec,
  servers: ReplyWithholding | undefined,
  openWindow: OpenWindow,
): Promise<void> {
  if (!servers) throw new Error('this run has no servers the harness can tell to stop replying');
  await servers.withholdReplies(true);
  openWindow(spec.durationMs, () => servers.withholdReplies(false));
}
