import type { WorkerEvent, TracingConfig } from '../instance-report.ts';
import type { WorkerMessage, ParentMessage } from './worker-protocol.ts';
import { startWorkerObservation, type WorkerObservation } from './worker-observation.ts';

/** Events are batched so a burst of discards or timeouts costs one IPC message, not thousands. */
const EVENT_BATCH_MS = 100;
/** A worker reports at most this many events; beyond that they are counted, not sent. */
const MAX_EVENTS_PER_WORKER = 5_000;

/** The worker's side of the IPC channel to the scenario runner. */
export class WorkerChannel {
  private pendingEvents: WorkerEvent[] = [];
  private eventsSent = 0;
  private eventsDropped = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly stop: Promise<void>;
  private readonly go: Promise<number>;
  private onWithholdReplies: ((withhold: boolean) => void) | undefined;

  constructor() {
    if (!process.send) throw new Error('a worker must be started by the scenario runner (no IPC channel)');
    let resolveStop!: () => void;
    let resolveGo!: (runStartEpochMs: number) => void;
    this.stop = new Promise((resolve) => (resolveStop = resolve));
    this.go = new Promise((resolve) => (resolveGo = resolve));
    process.on('message', (message: ParentMessage) => {
      if (message.type === 'stop') resolveStop();
      else if (message.type === 'go') resolveGo(message.runStartEpochMs);
      else if (message.type === 'withhold-replies') this.onWithholdReplies?.(message.withhold);
    });
    // The parent went away: stop too, so no worker outlives its run.
    process.on('disconnect', () => process.exit(3));
  }

  send(message: WorkerMessage): void {
    if (message.type === 'final' || message.type === 'progress') this.flushEvents();
    process.send?.(message);
  }

  /** Resolves once the message is handed to the OS: safe to die right after. */
  sendAndFlush(message: WorkerMessage): Promise<void> {
    this.flushEvents();
    return new Promise((resolve) => {
      if (!process.send) return resolve();
      process.send(message, undefined, {}, () => resolve());
    });
  }

  event(event: WorkerEvent): void {
    if (this.eventsSent + this.pendingEvents.length >= MAX_EVENTS_PER_WORKER) {
      this.eventsDropped++;
      return;
    }
    this.pendingEvents.push(event);
    this.flushTimer ??= setTimeout(() => this.flushEvents(), EVENT_BATCH_MS);
  }

  private flushEvents(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingEvents.length === 0) return;
    const events = this.pendingEvents;
    this.pendingEvents = [];
    this.eventsSent += events.length;
    process.send?.({ type: 'events', events } satisfies WorkerMessage);
  }

  get droppedEvents(): number {
    return this.eventsDropped;
  }

  stopRequested(): Promise<void> {
    return this.stop;
  }

  /** What a server does when the parent tells it to withhold its replies, or to reply again. */
  whenTold(withholdReplies: (withhold: boolean) => void): void {
    this.onWithholdReplies = withholdReplies;
  }

  /** Resolves with the run's start (epoch ms) when the parent says go. */
  goSignal(): Promise<number> {
    return this.go;
  }

  startObservation(processName: string, tracing: TracingConfig): Promise<WorkerObservation> {
    return startWorkerObservation(processName, tracing);
  }
}
