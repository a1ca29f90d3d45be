import type { Duplex } from 'node:stream';
import { resetEnd } from './in-process-link.ts';
import { ToxicLink, type LinkOwner } from './toxic-link.ts';
import type { Stream, ToxicWrapper } from './toxic-wrapper.ts';

/** How long a closed connection waits for a peer that never answers the FIN. */
const CLOSE_GRACE_MS = 1000;

export interface ConnectionOwner {
  toxics(stream: Stream): readonly ToxicWrapper[];
  forgetConnection(connection: ProxiedConnection): void;
}

/** A client connection and its upstream connection, joined through one toxic link per direction. */
export class ProxiedConnection implements LinkOwner {
  private readonly openedAt = performance.now();
  private readonly links: Readonly<Record<Stream, ToxicLink>>;
  private closing = false;
  private destroyed = false;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly owner: ConnectionOwner,
    /** A TCP socket, or the proxy's end of an in-process connection (in-process-link.ts). */
    private readonly client: Duplex,
    private readonly upstream: Duplex,
  ) {
    this.links = {
      upstream: new ToxicLink(this, 'upstream', client, upstream),
      downstream: new ToxicLink(this, 'downstream', upstream, client),
    };
    const onError = () => this.destroy();
    client.on('error', onError);
    upstream.on('error', onError);
    // A socket fully closed: its link can write no more, the other one still delivers
    // what it has planned (latency, slow_close) before the connection goes.
    client.on('close', () => this.onSocketClosed(this.links.downstream));
    upstream.on('close', () => this.onSocketClosed(this.links.upstream));
    this.links.upstream.start();
    this.links.downstream.start();
  }

  toxics(stream: Stream): readonly ToxicWrapper[] {
    return this.owner.toxics(stream);
  }

  toxicAddedAfterConnect(toxic: ToxicWrapper): boolean {
    return toxic.addedAt > this.openedAt;
  }

  startToxic(toxic: ToxicWrapper): void {
    this.links[toxic.stream].startToxic(toxic);
  }

  /** Returns whether the toxic was acting on this connection. */
  removeToxic(toxic: ToxicWrapper): boolean {
    return this.links[toxic.stream].removeToxic(toxic);
  }

  /** FIN both ways, as Toxiproxy does when a proxy is disabled or a toxic closes the link. */
  close(): void {
    if (this.closing || this.destroyed) return;
    this.closing = true;
    this.client.end();
    this.upstream.end();
    this.graceTimer = setTimeout(() => this.destroy(), CLOSE_GRACE_MS);
  }

  /** RST both ways (reset_peer). */
  reset(): void {
    if (this.destroyed) return;
    resetEnd(this.client);
    resetEnd(this.upstream);
    this.destroy();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    clearTimeout(this.graceTimer);
    if (!this.client.destroyed) this.client.destroy();
    if (!this.upstream.destroyed) this.upstream.destroy();
    this.links.upstream.dispose();
    this.links.downstream.dispose();
    this.owner.forgetConnection(this);
  }

  private onSocketClosed(link: ToxicLink): void {
    link.dispose();
    void Promise.all([this.links.upstream.drained(), this.links.downstream.drained()]).then(() => this.destroy());
  }
}
