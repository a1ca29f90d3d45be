import { bandwidth } from './bandwidth.ts';
import { latency } from './latency.ts';
import { limitData } from './limit-data.ts';
import { resetPeer } from './reset-peer.ts';
import { slicer } from './slicer.ts';
import { slowClose } from './slow-close.ts';
import { timeout } from './timeout.ts';
import type { ToxicBehaviour } from './toxic.ts';

/** Toxics by wire name, as Toxiproxy registers them. */
export const TOXICS: ReadonlyMap<string, ToxicBehaviour> = new Map(
  [latency, bandwidth, slowClose, timeout, resetPeer, slicer, limitData].map((toxic) => [toxic.type, toxic]),
);
