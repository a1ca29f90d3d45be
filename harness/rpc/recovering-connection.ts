import amqp, { type ChannelModel } from 'amqplib';
import { redactMessage } from '../env/redact.ts';
import { localAddressOptions } from '../env/local-address.ts';
import { AddressRotation } from './address-rotation.ts';

/**
 * The connection both RPC sides use. After a lost connection it reconnects with backoff, each
 * attempt on the next address (the placed node first, then the other nodes, round robin: a
 * killed node's clients carry on through a live one), and runs `setup` (channels, queues,
 * consumers) after every (re)connect. A broker that cannot be reached at start fails after
 * three quick retries instead of hanging; reconnecting gives up after RECONNECT_ATTEMPTS.
 */

/** amqplib's recovery backoff, which this replaces: 100 ms doubling to 2 s, ±20 % jitter. */
const BACKOFF = { initialDelayMs: 100, maxDelayMs: 2_000, factor: 2, jitter: 0.2 } as const;
const INITIAL_RETRIES = 3;
/** About five minutes at the 2 s cap: longer than any node or broker outage a scenario schedules. */
export const RECONNECT_ATTEMPTS = 150;
/**
 * A node that accepts TCP but never opens AMQP (a paused node) would hold an attempt forever:
 * the attempt moves on to the next address after this.
 */
const OPEN_TIMEOUT_MS = 5_000;

export interface Addresses {
  /** The placed node's URL: tried first. */
  readonly amqpUrl: string;
  /** Every node's URL, in node order; absent: amqpUrl alone. */
  readonly amqpUrls?: readonly string[];
}

export interface RecoveringConnection {
  close(): Promise<void>;
}

/** Says which address `setup` runs on: `node-k (host:port)`, or host:port on a single broker. */
export type ConnectionSetup = (model: ChannelModel, address: string) => Promise<void>;

/** The delay before reconnect attempt `attempt` (1-based). */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const cappedBase = BACKOFF.maxDelayMs / (1 + BACKOFF.jitter);
  const base = Math.min(cappedBase, BACKOFF.initialDelayMs * BACKOFF.factor ** (attempt - 1));
  return Math.max(0, Math.round(base + base * BACKOFF.jitter * (2 * random() - 1)));
}

export async function connectWithRecovery(
  addresses: Addresses,
  who: string,
  setup: ConnectionSetup,
  onDisconnect: (error: Error) => void,
): Promise<RecoveringConnection> {
  const connection = new FailoverConnection(addresses, setup, onDisconnect);
  try {
    await connection.start();
  } catch (error) {
    throw new Error(`${who} could not connect: ${redactMessage((error as Error).message)}`);
  }
  return connection;
}

class FailoverConnection implements RecoveringConnection {
  private readonly rotation: AddressRotation;
  private model: ChannelModel | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private stopped = false;

  constructor(
    addresses: Addresses,
    private readonly setup: ConnectionSetup,
    private readonly onDisconnect: (error: Error) => void,
  ) {
    this.rotation = new AddressRotation(addresses.amqpUrl, addresses.amqpUrls ?? [addresses.amqpUrl]);
  }

  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.open();
        return;
      } catch (error) {
        if (attempt > INITIAL_RETRIES || this.stopped) throw error;
        this.rotation.advance();
        await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt)));
      }
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const model = this.model;
    this.model = undefined;
    await model?.close();
  }

  private async open(): Promise<void> {
    const address = this.rotation.current;
    const model = await amqp.connect(address, {
      // Request/reply is latency-bound: Nagle would hold small frames for the peer's ACK.
      noDelay: true,
      timeout: OPEN_TIMEOUT_MS,
      ...localAddressOptions(),
    });
    model.on('error', () => {
      // Connection errors surface again as 'close'; reconnecting handles them.
    });
    try {
      await this.setup(model, this.rotation.describe(address));
    } catch (error) {
      await model.close().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await model.close().catch(() => undefined);
      return;
    }
    this.model = model;
    this.attempt = 0;
    model.on('close', (error?: Error) => this.lost(model, error ?? new Error('connection closed')));
  }

  private lost(model: ChannelModel, error: Error): void {
    if (this.model !== model) return;
    this.model = undefined;
    if (this.stopped) return;
    this.onDisconnect(error);
    this.rotation.advance();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.timer) return;
    if (this.attempt >= RECONNECT_ATTEMPTS) {
      this.stopped = true;
      return;
    }
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.open().catch(() => {
        this.rotation.advance();
        this.scheduleReconnect();
      });
    }, backoffDelayMs(this.attempt));
  }
}
