import type { ToxicBehaviour } from './toxics/toxic.ts';

export type Stream = 'upstream' | 'downstream';

/** A toxic as configured through the API; `streamAsGiven` is echoed back as Toxiproxy does. */
export interface ToxicConfig {
  readonly name: string;
  readonly type: string;
  readonly stream: Stream;
  readonly streamAsGiven: string;
  toxicity: number;
  attributes: Record<string, number>;
  readonly behaviour: ToxicBehaviour;
  /** Bumped on every update: connections flip their toxicity coin again, as Toxiproxy does. */
  generation: number;
}

export function toxicJson(toxic: ToxicConfig): Record<string, unknown> {
  return { attributes: toxic.attributes, name: toxic.name, type: toxic.type, stream: toxic.streamAsGiven, toxicity: toxic.toxicity };
}
