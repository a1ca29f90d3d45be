/**
 * How reports speak of what the frame tap saw: the reply mode each client really used, and
 * that external implementations are observed through the tap (they write no spans).
 */
import type { ScenarioResult } from '../model/result-schema.ts';

/** The server and/or client run as external commands. */
export function observedThroughTap(result: ScenarioResult): boolean {
  const impl = result.environment.implementations;
  return impl !== undefined && (impl.server !== 'builtin' || impl.client !== 'builtin');
}

/** "external server and client observed through the AMQP frame tap …", or undefined for built-in ones. */
export function tapObservationText(result: ScenarioResult): string | undefined {
  const impl = result.environment.implementations;
  if (!impl || !observedThroughTap(result)) return undefined;
  const external = [impl.server !== 'builtin' ? 'server' : '', impl.client !== 'builtin' ? 'client' : '']
    .filter(Boolean)
    .join(' and ');
  return `external ${external} observed through the AMQP frame tap (no spans; counts are what the tap saw)`;
}

/**
 * The reply mode clients used: seen by the taps when the clients are external
 * ("direct-reply-to (client-1, observed)", "mixed (client-1 direct-reply-to, client-2
 * callback-queue; observed)"), else the configured one.
 */
export function replyModeText(result: ScenarioResult): string {
  const observed = result.tap?.replyModes ?? [];
  if (observed.length === 0) return result.environment.replyMode;
  const modes = new Set(observed.map((o) => o.mode));
  const [mode] = modes;
  if (modes.size === 1 && mode !== 'mixed') return `${mode} (${observed.map((o) => o.client).join(', ')}, observed)`;
  return `mixed (${observed.map((o) => `${o.client} ${o.mode}`).join(', ')}; observed)`;
}
