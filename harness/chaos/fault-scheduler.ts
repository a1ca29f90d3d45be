import type { Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import type { FaultRecord, TimelineEvent } from '../model/result-schema.ts';
import { startBlackhole } from './blackhole.ts';
import { describeFault, type FaultSpec, type ProxyName, type Trigger } from './fault-spec.ts';
import { executeNodeFault, type ClusterFaultTargets } from './node-faults.ts';
import { executeServersStopReplying, type ReplyWithholding } from './servers-stop-replying.ts';
import { executeBrokerFault, type BrokerFaultTargets } from './broker-faults.ts';

/** What faults act on; the runner provides it. */
export interface FaultTargets {
  /** Absent in a run without a proxy, which schedules no fault that needs one. */
  readonly proxies?: Readonly<Record<ProxyName, ToxiproxyProxy>>;
  restartBroker(): Promise<void>;
  killServer(server: number): Promise<void>;
  startServer(server: number): Promise<void>;
  elapsedMs(): number;
  record(event: Omit<TimelineEvent, 'tMs'> & { tMs?: number }): void;
  /** Present when the broker is a private cluster: node faults act on it. */
  readonly cluster?: ClusterFaultTargets;
  /** The servers, told to withhold their replies (servers-stop-replying). */
  readonly replies?: ReplyWithholding;
  /** The broker's memory alarm and the request queue (broker-faults.ts). */
  readonly broker?: BrokerFaultTargets;
}

interface ScheduledFault {
  readonly id: string;
  readonly spec: FaultSpec;
  readonly record: FaultRecord;
}

/**
 * Fires a scenario's faults at their triggers and writes each one's start and end to the
 * timeline. Server kills at a fault point are carried out by the server's adapter (the
 * built-in server's in-process hook, or the frame tap in front of an external server);
 * the scheduler only learns of them (`onFaultPointKill`) and restarts the server if asked.
 * Everything it starts it also ends: `stop()` closes open fault windows.
 */
export class FaultScheduler {
  private readonly faults: ScheduledFault[];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly actions = new Set<Promise<void>>();
  private readonly closeWindows = new Map<string, () => Promise<void>>();
  private stopped = false;
  readonly errors: string[] = [];

  constructor(
    specs: readonly FaultSpec[],
    private readonly targets: FaultTargets,
  ) {
    this.faults = specs.map((spec, index) => {
      const { target, description, trigger } = describeFault(spec);
      const id = `fault-${index + 1}`;
      return { id, spec, record: { id, kind: spec.kind, target, description, trigger, fired: false } };
    });
  }

  /** The fault-point kill planned for each incarnation of a server (1-based server index). */
  faultPointKillsFor(server: number): Array<Extract<FaultSpec, { kind: 'kill-server-at-fault-point' }>> {
    return this.faults
      .map((f) => f.spec)
      .filter(
        (s): s is Extract<FaultSpec, { kind: 'kill-server-at-fault-point' }> =>
          s.kind === 'kill-server-at-fault-point' && s.server === server,
      );
  }

  /** Arms time triggers; call when the load starts. */
  start(): void {
    for (const fault of this.faults) {
      const trigger = triggerOf(fault.spec);
      if (trigger && 'atMs' in trigger) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.fire(fault);
        }, trigger.atMs);
        this.timers.add(timer);
      }
    }
  }

  /** Fires call-count triggers that are now due. */
  onCallsSent(totalSent: number): void {
    for (const fault of this.faults) {
      const trigger = triggerOf(fault.spec);
      if (trigger && 'afterCall' in trigger && !fault.record.fired && totalSent >= trigger.afterCall) this.fire(fault);
    }
  }

  /** A server died at a fault point; marks the next unfired matching fault and restarts if asked. */
  onFaultPointKill(server: number, point: string, correlationId: string | undefined): void {
    const fault = this.faults.find(
      (f) =>
        f.spec.kind === 'kill-server-at-fault-point' &&
        f.spec.server === server &&
        f.spec.point === point &&
        !f.record.fired,
    );
    const tMs = this.targets.elapsedMs();
    this.targets.record({
      tMs,
      kind: 'kill',
      process: `server-${server}`,
      correlationId,
      detail: `SIGKILL at ${point}${correlationId ? ` while handling ${correlationId}` : ''}`,
    });
    if (fault?.spec.kind !== 'kill-server-at-fault-point') return;
    Object.assign(fault.record, { fired: true, startMs: tMs });
    this.targets.record({ tMs, kind: 'fault-start', process: 'runner', detail: fault.record.description });
    this.scheduleRestart(fault, server, fault.spec.restartAfterMs);
  }

  private fire(fault: ScheduledFault): void {
    if (this.stopped || fault.record.fired) return;
    fault.record.fired = true;
    fault.record.startMs = this.targets.elapsedMs();
    this.targets.record({
      tMs: fault.record.startMs,
      kind: 'fault-start',
      process: 'runner',
      detail: fault.record.description,
    });
    this.track(
      this.execute(fault).catch((error: unknown) => {
        const message = `${fault.record.description}: ${(error as Error).message}`;
        this.errors.push(message);
        this.targets.record({ kind: 'error', process: 'runner', detail: message });
      }),
    );
  }

  private async execute(fault: ScheduledFault): Promise<void> {
    const spec = fault.spec;
    switch (spec.kind) {
      case 'kill-server-at-fault-point':
        return; // carried out by the server's adapter
      case 'kill-server':
        await this.targets.killServer(spec.server);
        this.targets.record({ kind: 'kill', process: `server-${spec.server}`, detail: 'SIGKILL' });
        this.scheduleRestart(fault, spec.server, spec.restartAfterMs);
        return;
      case 'toxic': {
        const toxicName = `${fault.id}-${spec.toxic.type}`;
        const toxic = await this.proxy(spec.proxy).addToxic({
          name: toxicName,
          type: spec.toxic.type,
          stream: spec.toxic.stream,
          toxicity: spec.toxic.toxicity ?? 1,
          attributes: spec.toxic.attributes,
        });
        this.openWindow(fault, spec.durationMs, () => toxic.remove());
        return;
      }
      case 'disable-proxy': {
        const proxy = this.proxy(spec.proxy);
        await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
        this.openWindow(fault, spec.durationMs, async () => {
          await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
        });
        return;
      }
      case 'blackhole': {
        const end = await startBlackhole(this.proxy(spec.proxy), fault.id);
        this.openWindow(fault, spec.durationMs, end);
        return;
      }
      case 'close-connections': {
        // Disabling a proxy closes its connections; enabling it again lets clients reconnect.
        const proxy = this.proxy(spec.proxy);
        await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
        await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
        this.endFault(fault);
        return;
      }
      case 'kill-node':
      case 'pause-node':
      case 'partition-node':
      case 'rolling-restart':
        return executeNodeFault(spec, {
          cluster: this.targets.cluster,
          record: (event) => this.targets.record(event),
          openWindow: (durationMs, close) => this.openWindow(fault, durationMs, close),
          endFault: () => this.endFault(fault),
          after: (ms, action) => {
            const timer = setTimeout(() => {
              this.timers.delete(timer);
              if (this.stopped) return;
              this.track(
                action().catch((error: unknown) => {
                  this.errors.push(`${fault.record.description}: ${(error as Error).message}`);
                }),
              );
            }, ms);
            this.timers.add(timer);
          },
        });
      case 'servers-stop-replying':
        return executeServersStopReplying(spec, this.targets.replies, (durationMs, close) =>
          this.openWindow(fault, durationMs, close),
        );
      case 'memory-alarm':
      case 'delete-request-queue':
        return executeBrokerFault(spec, {
          broker: this.targets.broker,
          record: (event) => this.targets.record(event),
          openWindow: (durationMs, close) => this.openWindow(fault, durationMs, close),
        });
      case 'restart-broker':
        this.targets.record({ kind: 'broker-restart', process: 'broker', detail: 'broker stopping' });
        await this.targets.restartBroker();
        this.targets.record({
          kind: 'broker-restart',
          process: 'broker',
          detail: 'broker accepting connections again',
        });
        this.endFault(fault);
        return;
    }
  }

  private proxy(name: ProxyName): ToxiproxyProxy {
    const proxy = this.targets.proxies?.[name];
    if (!proxy) throw new Error(`the ${name} proxy is not there: this run connects to the broker without a proxy`);
    return proxy;
  }

  private openWindow(fault: ScheduledFault, durationMs: number | undefined, close: () => Promise<void>): void {
    const closeOnce = async () => {
      if (!this.closeWindows.delete(fault.id)) return;
      // The fault ends when lifting it begins: lifting a blackhole closes the connections it held,
      // and a process can report that loss before the proxy's API call returns.
      const liftedAtMs = this.targets.elapsedMs();
      await close();
      this.endFault(fault, liftedAtMs);
    };
    this.closeWindows.set(fault.id, closeOnce);
    if (durationMs === undefined) return; // stays until the run ends
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.track(
        closeOnce().catch((error: unknown) => {
          this.errors.push(`ending ${fault.record.description}: ${(error as Error).message}`);
        }),
      );
    }, durationMs);
    this.timers.add(timer);
  }

  private scheduleRestart(fault: ScheduledFault, server: number, restartAfterMs: number | undefined): void {
    if (restartAfterMs === undefined) {
      this.endFault(fault);
      return;
    }
    const scheduledAtMs = this.targets.elapsedMs() + restartAfterMs;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped) return;
      this.track(
        this.targets.startServer(server).then(
          () => {
            // Until the new server consumes: the time a restart really takes, on top of the wait asked for.
            const lagMs = Math.max(0, this.targets.elapsedMs() - scheduledAtMs);
            fault.record.restartLagMs = lagMs;
            this.targets.record({
              kind: 'restart',
              process: `server-${server}`,
              detail: `server process started again, consuming ${lagMs} ms after its scheduled time`,
            });
            this.endFault(fault);
          },
          (error: unknown) => {
            this.errors.push(`restarting server-${server}: ${(error as Error).message}`);
          },
        ),
      );
    }, restartAfterMs);
    this.timers.add(timer);
  }

  private endFault(fault: ScheduledFault, atMs = this.targets.elapsedMs()): void {
    fault.record.endMs = atMs;
    this.targets.record({
      tMs: fault.record.endMs,
      kind: 'fault-end',
      process: 'runner',
      detail: fault.record.description,
    });
  }

  private track(action: Promise<void>): void {
    this.actions.add(action);
    void action.finally(() => this.actions.delete(action));
  }

  /** Waits for running fault actions (bounded by the caller), then closes open windows. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.actions]);
    await Promise.allSettled([...this.closeWindows.values()].map((close) => close()));
  }

  records(): FaultRecord[] {
    return this.faults.map((fault) => ({ ...fault.record }));
  }
}

function triggerOf(spec: FaultSpec): Trigger | undefined {
  return 'trigger' in spec ? spec.trigger : undefined;
}
