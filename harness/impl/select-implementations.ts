import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import { builtinClient, builtinServer } from './builtin/builtin-implementation.ts';
import { commandClient } from './command/command-client.ts';
import { commandServer } from './command/command-server.ts';
import type { ClientImplementation, ServerImplementation } from './implementation.ts';

export interface SelectedImplementations {
  readonly server: ServerImplementation;
  readonly client: ClientImplementation;
}

/** Implementations a caller of the engine registers for a run, in place of the scenario's. */
export type RegisteredImplementations = Partial<SelectedImplementations>;

/**
 * The implementations a run drives: those the caller registered, else what the scenario (or the
 * command line) names, else the built-ins.
 */
export function selectImplementations(
  definition: ScenarioDefinition,
  registered: RegisteredImplementations = {},
): SelectedImplementations {
  const server = definition.implementations?.server;
  const client = definition.implementations?.client;
  return {
    server: registered.server ?? (server ? commandServer(server) : builtinServer()),
    client: registered.client ?? (client ? commandClient(client) : builtinClient()),
  };
}
