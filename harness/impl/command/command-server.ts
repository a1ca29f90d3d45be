/**
 * An external server: any program that consumes the request queue and answers with the
 * tutorial's protocol. Each instance is `/bin/sh -c <command>` with AMQP_URL and RPC_QUEUE in
 * its environment, logging to `server-N.log` in the run folder; a restart re-runs the
 * command. AMQP_URL points at a frame tap in front of the servers' proxy, one per incarnation:
 * the tap says when the instance consumes the request queue (ready), counts its deliveries,
 * redeliveries and replies (the server tally of a black box), and holds its connection at a
 * fault point so the harness can SIGKILL the process group exactly there.
 */
import { amqpUrlsEnv } from './amqp-urls-env.ts';
import { heartbeatEnv } from './heartbeat-env.ts';
import { followBrokerNotices } from './tap-broker-notices.ts';
import { join } from 'node:path';
import type { ServerTally } from '../instance-report.ts';
import { CallIdSet } from '../../observe/call-id-set.ts';
import type { StartedAmqpFrameTap } from '../../tap/amqp-frame-tap.ts';
import { CommandProcess } from './command-process.ts';
import type { ServerImplementation, ServerInstance, ServerLaunch, ServerObserver } from '../implementation.ts';
import { DEFAULT_READY_TIMEOUT_MS, type CommandImplementationSpec } from '../../scenario/implementation-spec.ts';
import { startInstanceTap } from './instance-tap.ts';
import { ConnectionHistory } from '../../tap/connection-history.ts';

const KILL_WAIT_MS = 5_000;

export function commandServer(spec: CommandImplementationSpec): ServerImplementation {
  return {
    label: `command: ${spec.command}`,
    start: (launch, observer) => startInstance(spec, launch, observer),
  };
}

async function startInstance(
  spec: CommandImplementationSpec,
  launch: ServerLaunch,
  observer: ServerObserver,
): Promise<ServerInstance> {
  const readyTimeoutMs = spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const tap = await startInstanceTap(launch.name, launch.amqpUrl);
  const logFile = join(launch.runDir, `${launch.name}.log`);
  let command: CommandProcess;
  try {
    command = new CommandProcess({
      name: launch.name,
      command: spec.command,
      incarnation: launch.incarnation,
      // RPC_QUEUE_TYPE: the request queue must be declared as the run's (quorum: durable, x-queue-type).
      env: {
        AMQP_URL: tap.getAmqpUrl(launch.amqpUrl),
        ...amqpUrlsEnv(launch, tap.getAmqpUrl(launch.amqpUrl)),
        RPC_QUEUE: launch.queue,
        RPC_QUEUE_TYPE: launch.queueType ?? 'classic',
        ...heartbeatEnv(launch.heartbeatSeconds),
      },
      logFile,
      stdio: 'log',
    });
  } catch (error) {
    await tap.stop();
    throw error;
  }
  let killedByHarness = false;
  const killGroup = () => {
    killedByHarness = true;
    command.kill();
  };
  followTap(tap, launch, observer);
  if (launch.killAt) {
    const { point } = launch.killAt;
    tap.armFaultPoint({
      point,
      request: launch.killAt.request,
      // The tap forwards nothing more from this connection until the process is dead.
      onHeld: async (hold) => {
        killGroup();
        await command.exited;
        observer.faultPointKill(point, hold.correlationId);
      },
    });
  }
  void command.exited.then(async (status) => {
    await tap.stop();
    if (!killedByHarness)
      observer.events([
        {
          atMs: Date.now(),
          kind: 'error',
          detail: `${launch.name} ${command.describeExit(status)} without being told to (see ${launch.name}.log)`,
        },
      ]);
  });

  const exitedFirst = command.exited.then((status) =>
    Promise.reject(new Error(`it ${command.describeExit(status)} before it consumed "${launch.queue}"`)),
  );
  try {
    await Promise.race([tap.waitForConsumer(launch.queue, readyTimeoutMs), exitedFirst]);
  } catch (error) {
    killGroup();
    await command.exited;
    const reason = (error as Error).message.replace(`${launch.name}: nothing started consuming`, 'nothing consumed');
    throw new Error(
      `${launch.name} (command: ${spec.command}) was not ready: ${reason}. ` +
        `Last lines of ${logFile}:\n${command.logTail()}`,
    );
  } finally {
    exitedFirst.catch(() => undefined);
  }
  return {
    name: launch.name,
    final: undefined,
    get pid() {
      return command.pid;
    },
    exited: command.exited,
    framesOf: (correlationId) => tap.framesOf(correlationId),
    kill: killGroup,
    stop: async (timeoutMs) => {
      killedByHarness = true;
      await command.stop(Math.min(timeoutMs, KILL_WAIT_MS));
      await tap.stop();
    },
  };
}

/** The tap's counters are this incarnation's server tally; redeliveries go on the timeline. */
function followTap(tap: StartedAmqpFrameTap, launch: ServerLaunch, observer: ServerObserver): void {
  const connections = new ConnectionHistory().follow(tap, (change) => {
    observer.events([change]);
    observer.tally(tally());
  });
  const tally = (): ServerTally => ({
    handled: tap.counters.publishes,
    redelivered: tap.counters.redeliveries,
    badRequests: 0,
    replyFailures: 0,
    reconnects: connections.counts.reestablished,
    connections: { ...connections.counts },
  });
  // Failed attempts change no other count: report them as they happen.
  tap.on('connection-close', () => observer.tally(tally()));
  tap.on('deliver', (delivery) => {
    if (delivery.redelivered) {
      observer.events([
        {
          atMs: delivery.atMs,
          kind: 'redelivery',
          correlationId: delivery.correlationId,
          detail: `${launch.name} got a redelivered request`,
        },
      ]);
    }
    observer.tally(tally());
  });
  const replies = new RepliesAwaitingSettle();
  tap.on('publish', (reply) => {
    // A reply carries its request's correlation id: that request was handled.
    if (reply.correlationId !== undefined) {
      const handled = new CallIdSet();
      handled.add(reply.correlationId);
      observer.handled(handled.encode());
      replies.replied(reply.correlationId);
    }
    observer.tally(tally());
  });
  const settled = (correlationIds: readonly (string | undefined)[]) => {
    const unanswered = replies.settled(correlationIds);
    if (unanswered.length === 0) return;
    const ids = new CallIdSet();
    for (const id of unanswered) ids.add(id);
    observer.settledWithoutReply?.(ids.encode());
  };
  tap.on('ack', (ack) => settled(ack.correlationIds));
  // A requeued request goes back to the queue: not this server's to answer any more.
  tap.on('nack', (nack) => {
    if (!nack.requeue) settled(nack.correlationIds);
  });
  tap.on('error', (error) => observer.events([{ atMs: Date.now(), kind: 'error', detail: error.message }]));
  followBrokerNotices(tap, launch.name, (events) => observer.events(events));
}

/** Beyond this many replies whose request was not yet settled, the oldest are forgotten (bounded memory). */
const MAX_REPLIES_AWAITING_SETTLE = 100_000;

/**
 * The order of reply and ack, per request: a correct server publishes its reply and then acks;
 * a request acked with no reply before it is one the server took from the broker unanswered.
 */
class RepliesAwaitingSettle {
  private readonly awaiting = new Set<string>();

  replied(correlationId: string): void {
    if (this.awaiting.size >= MAX_REPLIES_AWAITING_SETTLE) {
      const oldest = this.awaiting.values().next().value;
      if (oldest !== undefined) this.awaiting.delete(oldest);
    }
    this.awaiting.add(correlationId);
  }

  /** Forgets the replied ones; returns the requests settled without a reply before. */
  settled(correlationIds: readonly (string | undefined)[]): string[] {
    const unanswered: string[] = [];
    for (const id of correlationIds) {
      if (id !== undefined && !this.awaiting.delete(id)) unanswered.push(id);
    }
    return unanswered;
  }
}
