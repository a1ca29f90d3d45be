/**
 * The clients of a run: started together, let go at the load's start, stopped together, and
 * their running tallies (from which call-count triggers of faults fire).
 */
import type { ClientImplementation, ClientInstance, ClientLaunch } from '../impl/implementation.ts';
import type { ClientTally } from '../impl/instance-report.ts';
import type { ProcessObservers } from './process-observers.ts';

/** A client's launch, but for its tracing, which the group sets up. */
export type ClientLaunchOf = (client: number) => Omit<ClientLaunch, 'tracing'>;

export class ClientGroup {
  private startedClients: ClientInstance[] = [];
  /** Latest tally of each client. */
  readonly tallies = new Map<string, ClientTally>();

  constructor(
    private readonly implementation: ClientImplementation,
    private readonly launchOf: ClientLaunchOf,
    private readonly observers: ProcessObservers,
    private readonly onCallsSent: (totalSent: number) => void,
  ) {}

  /** The clients that started, even when another one failed to. */
  get instances(): readonly ClientInstance[] {
    return this.startedClients;
  }

  /** Starts every client; rejects with the first failure once all have settled. */
  async start(clients: readonly number[]): Promise<void> {
    const started = await Promise.allSettled(
      clients.map((i) => {
        const launch = this.launchOf(i);
        return this.implementation.start(
          { ...launch, tracing: this.observers.tracingFor(launch.name) },
          {
            ...this.observers.observer(launch.name),
            tally: (tally) => {
              this.tallies.set(launch.name, tally);
              this.onCallsSent(sum([...this.tallies.values()], (t) => t.sent));
            },
          },
        );
      }),
    );
    this.startedClients = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const failedToStart = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failedToStart) throw failedToStart.reason;
  }

  /** Starts the load of every client; `runStartEpochMs` is the run start all intervals count from. */
  go(runStartEpochMs: number): void {
    for (const client of this.startedClients) client.go(runStartEpochMs);
  }

  /** Ends every client's load early (Ctrl-C); what was measured is still reported. */
  requestStop(): void {
    for (const client of this.startedClients) client.requestStop();
  }

  async stop(timeoutMs: number): Promise<void> {
    await Promise.all(this.startedClients.map((client) => client.stop(timeoutMs)));
  }
}

export function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((total, item) => total + pick(item), 0);
}
