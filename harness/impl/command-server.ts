/**
 * An external server: any program that consumes the request queue and answers with the
 * tutorial's protocol. Each instance is `/bin/sh -c <command>` with AMQP_URL (through the
 * servers' proxy) and RPC_QUEUE in its environment, logging to `server-N.log` in the run
 * folder. It is ready once the request queue has a consumer for it; a restart re-runs the
 * command.
 */
import { join } from 'node:path';
import type { WorkerEvent } from '../load/worker-protocol.ts';
import { CommandProcess } from './command-process.ts';
import type { ServerImplementation, ServerInstance, ServerLaunch, ServerObserver } from './implementation.ts';
import { DEFAULT_READY_TIMEOUT_MS, type CommandImplementationSpec } from './implementation-spec.ts';
import { QueueConsumers } from './queue-consumers.ts';

const KILL_WAIT_MS = 5_000;

export function commandServer(spec: CommandImplementationSpec): ServerImplementation {
  const readyTimeoutMs = spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const alive = new Set<CommandProcess>();
  let consumers: QueueConsumers | undefined;
  // Readiness counts consumers on one queue, so instances become ready one at a time.
  let previousStart: Promise<unknown> = Promise.resolve();

  async function startOne(launch: ServerLaunch, observer: ServerObserver): Promise<ServerInstance> {
    if (launch.killAt) {
      throw new Error(`${launch.name}: a kill at ${launch.killAt.point} needs the AMQP frame tap in front of an external server, which this build does not have; use the built-in server for this scenario`);
    }
    consumers ??= new QueueConsumers(launch.brokerUrl);
    const logFile = join(launch.runDir, `${launch.name}.log`);
    const command = new CommandProcess({
      name: launch.name,
      command: spec.command,
      incarnation: launch.incarnation,
      env: { AMQP_URL: launch.amqpUrl, RPC_QUEUE: launch.queue },
      logFile,
      stdio: 'log',
    });
    alive.add(command);
    let killedByHarness = false;
    void command.exited.then((status) => {
      alive.delete(command);
      if (killedByHarness) return;
      const event: WorkerEvent = { atMs: Date.now(), kind: 'error', detail: `${launch.name} ${command.describeExit(status)} without being told to (see ${launch.name}.log)` };
      observer.events([event]);
    });
    const gaveUp = command.exited.then((status) => `it ${command.describeExit(status)} before it consumed "${launch.queue}"`);
    try {
      // Every live instance holds one consumer once it is ready; this one is the newest.
      await consumers.waitFor(launch.queue, alive.size, readyTimeoutMs, gaveUp);
    } catch (error) {
      killedByHarness = true;
      command.kill();
      await command.exited;
      throw new Error(`${launch.name} (command: ${spec.command}) was not ready: ${(error as Error).message}. Last lines of ${logFile}:\n${command.logTail()}`);
    }
    return {
      name: launch.name,
      final: undefined,
      get pid() {
        return command.pid;
      },
      exited: command.exited,
      kill: () => {
        killedByHarness = true;
        command.kill();
      },
      stop: async (timeoutMs) => {
        killedByHarness = true;
        await command.stop(Math.min(timeoutMs, KILL_WAIT_MS));
      },
    };
  }

  return {
    label: `command: ${spec.command}`,
    start(launch, observer) {
      const started = previousStart.then(() => startOne(launch, observer));
      previousStart = started.catch(() => undefined);
      return started;
    },
    async close() {
      await consumers?.close();
      consumers = undefined;
    },
  };
}
