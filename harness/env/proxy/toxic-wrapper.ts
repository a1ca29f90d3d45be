import type { ToxicBehaviour } from './toxics/toxic.ts';

export type Stream = 'upstream' | 'downstream';

/** A toxic as the API shows it. */
export interface ToxicJson {
  readonly attributes: Readonly<Record<string, number>>;
  readonly name: string;
  readonly type: string;
  readonly stream: string;
  readonly toxicity: number;
}

/**
 * A configured toxic, as Toxiproxy's ToxicWrapper: the toxic's behaviour plus the name,
 * stream and toxicity the API gave it. Stream and toxicity are handled here and in
 * `ToxicityCoins`, once, so no toxic deals with either.
 */
export class ToxicWrapper {
  /** Bumped on every update, because Toxiproxy restarts an updated toxic and so flips its coin again. */
  generation = 0;
  /** reset_peer can only send an RST on connections set up after it was added. */
  readonly addedAt = performance.now();

  constructor(
    readonly name: string,
    readonly behaviour: ToxicBehaviour,
    readonly stream: Stream,
    /** Toxiproxy parses the stream case-insensitively but echoes the spelling it was given. */
    readonly streamAsGiven: string,
    public toxicity: number,
    public attributes: Record<string, number>,
  ) {}

  get type(): string {
    return this.behaviour.type;
  }

  /** Attributes merge (an omitted one keeps its value); an omitted toxicity stays. */
  update(change: { attributes?: Record<string, number> | undefined; toxicity?: number | undefined }): void {
    if (change.attributes) this.attributes = { ...this.attributes, ...change.attributes };
    if (change.toxicity !== undefined) this.toxicity = change.toxicity;
    this.generation++;
  }

  toJson(): ToxicJson {
    return {
      attributes: this.attributes,
      name: this.name,
      type: this.type,
      stream: this.streamAsGiven,
      toxicity: this.toxicity,
    };
  }
}

/**
 * One connection's toxicity decisions in one direction: one coin per toxic, flipped when
 * the toxic starts on the connection (set-up, add, update), then kept for every chunk.
 */
export class ToxicityCoins {
  private readonly coins = new Map<string, { generation: number; affected: boolean }>();

  affects(toxic: ToxicWrapper): boolean {
    const coin = this.coins.get(toxic.name);
    if (coin && coin.generation === toxic.generation) return coin.affected;
    const affected = Math.random() < toxic.toxicity;
    this.coins.set(toxic.name, { generation: toxic.generation, affected });
    return affected;
  }

  /** Forgets a removed toxic; returns whether it was acting on this connection. */
  forget(name: string): boolean {
    const affected = this.coins.get(name)?.affected ?? false;
    this.coins.delete(name);
    return affected;
  }
}
