/**
 * The one place the AMQP frame tap (harness/tap) plugs into the command adapters: a tap per
 * instance incarnation, in front of the proxy that instance would otherwise connect to.
 */
import { AmqpFrameTap, type StartedAmqpFrameTap } from '../../tap/amqp-frame-tap.ts';

/** Starts a tap forwarding to the host and port of `upstreamAmqpUrl` (the proxy). */
export function startInstanceTap(name: string, upstreamAmqpUrl: string): Promise<StartedAmqpFrameTap> {
  const upstream = new URL(upstreamAmqpUrl);
  return new AmqpFrameTap({ name, upstream: { host: upstream.hostname, port: Number(upstream.port) } }).start();
}

/** Resolves at the instance's first consume-ok on any queue (a client's reply queue), or rejects after `timeoutMs`. */
export function firstConsumer(tap: StartedAmqpFrameTap, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      tap.off('consume-ok', onConsumeOk);
      reject(new Error(`it consumed no queue within ${(timeoutMs / 1000).toFixed(1)} s`));
    }, timeoutMs);
    const onConsumeOk = (event: { queue: string }) => {
      clearTimeout(timer);
      tap.off('consume-ok', onConsumeOk);
      resolve(event.queue);
    };
    tap.on('consume-ok', onConsumeOk);
  });
}
