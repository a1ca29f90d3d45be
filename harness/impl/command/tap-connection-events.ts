/**
 * An external program's connections as its frame tap sees them, on the run's timeline: the end
 * of a connection is when the program (or its peer) gave it up, a later connection is a
 * reconnect. This is how the harness tells when a black box noticed that its broker went
 * silent (the blackhole scenario's detection time).
 */
import type { StartedAmqpFrameTap } from '../../tap/amqp-frame-tap.ts';
import type { InstanceObserver } from '../implementation.ts';

export function reportTapConnections(tap: StartedAmqpFrameTap, observer: Pick<InstanceObserver, 'events'>): void {
  let opened = 0;
  tap.on('connection-open', (event) => {
    opened++;
    if (opened > 1)
      observer.events([{ atMs: event.atMs, kind: 'reconnect', detail: 'the frame tap saw a new connection' }]);
  });
  tap.on('connection-close', (event) => {
    observer.events([{ atMs: event.atMs, kind: 'connection-lost', detail: 'the frame tap saw the connection end' }]);
  });
}
