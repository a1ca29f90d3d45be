/**
 * How a scenario file (or the command line) names the implementation to test. Data only,
 * so scenario definitions stay plain values the runner validates whole.
 */
export interface CommandImplementationSpec {
  /** Run with `/bin/sh -c`; it gets AMQP_URL and RPC_QUEUE in its environment. */
  readonly command: string;
  /** How long an instance may take to become ready (default 15 s). */
  readonly readyTimeoutMs?: number;
}

export interface ImplementationsSpec {
  /** Omitted: the built-in FibRpcServer. */
  readonly server?: CommandImplementationSpec;
  /** Omitted: the built-in FibRpcClient. */
  readonly client?: CommandImplementationSpec;
}

export const DEFAULT_READY_TIMEOUT_MS = 15_000;

export function validateImplementationSpec(
  role: 'server' | 'client',
  spec: CommandImplementationSpec | undefined,
): string[] {
  if (spec === undefined) return [];
  const errors: string[] = [];
  if (typeof spec.command !== 'string' || spec.command.trim() === '')
    errors.push(`${role} command must be a non-empty string, got ${JSON.stringify(spec.command)}`);
  if (spec.readyTimeoutMs !== undefined && !(spec.readyTimeoutMs >= 100 && spec.readyTimeoutMs <= 600_000)) {
    errors.push(`${role} readyTimeoutMs must be from 100 to 600000, got ${spec.readyTimeoutMs}`);
  }
  return errors;
}
