/**
 * The broker's own notices to an external process (connection.blocked / unblocked, basic.cancel),
 * as its frame tap sees them, put on the run's timeline: the black box may or may not react to
 * them, but the timeline shows that they reached it.
 */
import type { StartedAmqpFrameTap } from '../../tap/amqp-frame-tap.ts';
import type { TapBrokerNotice } from '../../tap/tap-events.ts';
import type { WorkerEvent } from '../instance-report.ts';

export function followBrokerNotices(
  tap: StartedAmqpFrameTap,
  name: string,
  record: (events: WorkerEvent[]) => void,
): void {
  tap.on('broker-notice', (notice) =>
    record([{ atMs: notice.atMs, kind: notice.kind, detail: detailOf(notice, name) }]),
  );
}

export function detailOf(notice: TapBrokerNotice, name: string): string {
  const seen = `(seen by the frame tap, connection ${notice.connection})`;
  switch (notice.kind) {
    case 'connection-blocked':
      return `connection.blocked sent to ${name}: ${notice.reason ?? 'no reason given'} ${seen}`;
    case 'connection-unblocked':
      return `connection.unblocked sent to ${name} ${seen}`;
    case 'consumer-cancelled':
      return (
        `basic.cancel sent to ${name} for consumer ${notice.consumerTag ?? '?'}` +
        `${notice.queue ? ` of queue ${notice.queue}` : ''} ${seen}`
      );
  }
}
