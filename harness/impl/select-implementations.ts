import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import { builtinClient, builtinServer, type BuiltinClientOptions } from './builtin/builtin-implementation.ts';
import { commandClient } from './command/command-client.ts';
import { commandServer } from './command/command-server.ts';
import type { ClientImplementation, ServerImplementation } from './implementation.ts';

export interface SelectedImplementations {
  readonly server: ServerImplementation;
  readonly client: ClientImplementation;
}

/** The implementations a run drives: what the scenario (or the command line) names, else the built-ins. */
export function selectImplementations(definition: ScenarioDefinition, builtin: BuiltinClientOptions = {}): SelectedImplementations {
  const server = definition.implementations?.server;
  const client = definition.implementations?.client;
  return {
    server: server ? commandServer(server) : builtinServer(),
    client: client ? commandClient(client) : builtinClient(builtin),
  };
}
