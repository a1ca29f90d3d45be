import type { StartedAmqpFrameTap } from './amqp-frame-tap.ts';

/** One process's connections as its tap saw them. */
export interface ConnectionCounts {
  /** Connections that reached connection.open-ok. */
  established: number;
  /** Established connections the broker side ended (broker, proxy) while the process kept running. */
  lost: number;
  /** Connections established after a loss, each answering one loss. */
  reestablished: number;
  /** Connections accepted that never reached open-ok and were not closed by the tap (e.g. the broker was down). */
  failedAttempts: number;
}

/** A connection event worth a line on the timeline. */
export interface ConnectionChange {
  readonly kind: 'connection-lost' | 'reconnect';
  readonly atMs: number;
  readonly detail: string;
}

/** Loss times kept for `lostBetween`; older ones are forgotten (bounded memory). */
const MAX_LOSS_TIMES = 1_000;

/**
 * Follows one process's tap and tells, per process, what a reconnect counter cannot: how many
 * of its connections the broker side closed, and whether each loss was followed by a new
 * established connection (failed attempts against a down broker do not count).
 */
export class ConnectionHistory {
  readonly counts: ConnectionCounts = { established: 0, lost: 0, reestablished: 0, failedAttempts: 0 };
  private readonly lossTimes: number[] = [];
  private unansweredLosses = 0;
  private closedItself = false;

  follow(tap: StartedAmqpFrameTap, onChange?: (change: ConnectionChange) => void): this {
    tap.on('connection-established', ({ connection, atMs }) => {
      this.counts.established++;
      if (this.unansweredLosses === 0) {
        if (!this.closedItself) return;
        // Not a re-established loss (the process gave up the last one), but the timeline tells it.
        this.closedItself = false;
        onChange?.({ kind: 'reconnect', atMs, detail: `connection ${connection} opened after the process closed one` });
        return;
      }
      this.unansweredLosses--;
      this.counts.reestablished++;
      onChange?.({ kind: 'reconnect', atMs, detail: `connection ${connection} established after a lost one` });
    });
    tap.on('connection-close', ({ connection, atMs, established, closedBy, graceful }) => {
      if (!established && closedBy !== 'tap') this.counts.failedAttempts++;
      // A process that drops its own connection without connection.close (a missed heartbeat) is
      // when it noticed a silent broker: on the timeline, not among the losses the broker side
      // caused. A graceful close (the process ending) is no event.
      if (established && closedBy === 'client' && !graceful) {
        this.closedItself = true;
        onChange?.({ kind: 'connection-lost', atMs, detail: `connection ${connection} dropped by the process itself` });
      }
    });
    tap.on('connection-lost', ({ connection, atMs }) => {
      this.counts.lost++;
      this.unansweredLosses++;
      this.lossTimes.push(atMs);
      if (this.lossTimes.length > MAX_LOSS_TIMES) this.lossTimes.shift();
      onChange?.({
        kind: 'connection-lost',
        atMs,
        detail: `connection ${connection} closed by the broker or the proxy`,
      });
    });
    return this;
  }

  /** A connection was lost at or after `fromMs` and at or before `toMs`. */
  lostBetween(fromMs: number, toMs: number): boolean {
    for (let i = this.lossTimes.length - 1; i >= 0; i--) {
      const at = this.lossTimes[i]!;
      if (at < fromMs) return false;
      if (at <= toMs) return true;
    }
    return false;
  }
}
