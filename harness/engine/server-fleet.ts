/**
 * The servers of a run: each server's current incarnation (a restart is the next one), every
 * incarnation that started, and what they reported. Faults kill and restart servers through
 * it; a server killed at a fault point by its adapter is reported to the faults through it.
 */
import type { FaultSpec } from '../chaos/fault-spec.ts';
import type { FaultPoint, ServerImplementation, ServerInstance, ServerLaunch } from '../impl/implementation.ts';
import type { ServerTally } from '../impl/instance-report.ts';
import { CallIdSet } from '../observe/call-id-set.ts';
import type { ProcessObservers } from './process-observers.ts';

type FaultPointKill = Extract<FaultSpec, { kind: 'kill-server-at-fault-point' }>;

/** The fault scheduler's side of kills at a fault point. */
export interface FaultPointKills {
  /** The fault-point kill planned for each incarnation of a server. */
  faultPointKillsFor(server: number): FaultPointKill[];
  onFaultPointKill(server: number, point: string, correlationId: string | undefined): void;
}

/** A server's launch, but for what the fleet decides: its incarnation, kill and tracing. */
export type ServerLaunchOf = (
  server: number,
) => Omit<ServerLaunch, 'incarnation' | 'killAt' | 'tracing' | 'withholdReplies'>;

export class ServerFleet {
  private readonly running = new Map<number, ServerInstance>();
  private readonly incarnations = new Map<number, number>();
  /** Every incarnation that started. */
  readonly started: ServerInstance[] = [];
  /** Latest tally of each incarnation: the run's counters add them up. */
  readonly tallies = new Map<string, ServerTally>();
  /** Union of the requests every incarnation reported as handled. */
  readonly handledCallIds = new CallIdSet();
  /** Per server name: requests it settled before replying (as its tap saw). */
  readonly settledWithoutReply = new Map<string, CallIdSet>();
  private killCount = 0;
  private restartCount = 0;
  /** servers-stop-replying is in force: running servers were told, and a server that starts now is too. */
  private withholding = false;

  constructor(
    private readonly implementation: ServerImplementation,
    private readonly launchOf: ServerLaunchOf,
    private readonly observers: ProcessObservers,
    private readonly faultPoints: FaultPointKills,
  ) {}

  get kills(): number {
    return this.killCount;
  }

  get restarts(): number {
    return this.restartCount;
  }

  /**
   * Starts the servers. Servers on different nodes declaring one new quorum queue at the same
   * moment race in RabbitMQ 3.10, and the loser's channel closes with 541 INTERNAL_ERROR: the
   * first server declares it alone, the others find it declared.
   */
  async startAll(servers: readonly number[], quorum: boolean): Promise<void> {
    if (quorum && servers.length > 1) {
      await this.start(servers[0]!);
      await Promise.all(servers.slice(1).map((i) => this.start(i)));
    } else {
      await Promise.all(servers.map((i) => this.start(i)));
    }
  }

  async kill(server: number): Promise<void> {
    const instance = this.running.get(server);
    if (!instance) throw new Error(`server-${server} is not running`);
    this.killCount++;
    instance.kill();
    await instance.exited;
  }

  async restart(server: number): Promise<void> {
    this.restartCount++;
    await this.start(server);
  }

  /** Tells every running server to withhold its replies, or to reply again (servers-stop-replying). */
  async withholdReplies(withhold: boolean): Promise<void> {
    this.withholding = withhold;
    await Promise.all(
      [...this.running.values()].map((server) => {
        if (!server.withholdReplies)
          throw new Error(`${server.name} cannot be told to stop replying: its implementation has no control channel`);
        return server.withholdReplies(withhold);
      }),
    );
  }

  /** Stops each server's current incarnation. */
  async stop(timeoutMs: number): Promise<void> {
    await Promise.all([...this.running.values()].map((server) => server.stop(timeoutMs)));
  }

  private async start(server: number): Promise<void> {
    const incarnation = (this.incarnations.get(server) ?? 0) + 1;
    this.incarnations.set(server, incarnation);
    const killAt = this.faultPoints.faultPointKillsFor(server)[incarnation - 1];
    const launch = this.launchOf(server);
    const tallyKey = `${launch.name}#${incarnation}`;
    const instance = await this.implementation.start(
      {
        ...launch,
        incarnation,
        killAt: killAt ? { point: killAt.point, request: killAt.request } : undefined,
        ...(this.withholding ? { withholdReplies: true } : {}),
        tracing: this.observers.tracingFor(incarnation === 1 ? launch.name : `${launch.name}.${incarnation}`),
      },
      {
        ...this.observers.observer(launch.name),
        tally: (tally) => this.tallies.set(tallyKey, tally),
        handled: (callIds) => this.handledCallIds.addAll(callIds),
        settledWithoutReply: (callIds) => this.settledBy(launch.name).addAll(callIds),
        faultPointKill: (point: FaultPoint, correlationId) => {
          this.killCount++;
          this.faultPoints.onFaultPointKill(server, point, correlationId);
        },
      },
    );
    this.running.set(server, instance);
    this.started.push(instance);
  }

  private settledBy(name: string): CallIdSet {
    let ids = this.settledWithoutReply.get(name);
    if (!ids) this.settledWithoutReply.set(name, (ids = new CallIdSet()));
    return ids;
  }
}
