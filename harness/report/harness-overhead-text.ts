/**
 * The proxy a run used and what the harness added to a round trip, in the words every
 * reporter shows: `builtin proxy 2.12.0`, `no proxy: no network fault scheduled`,
 * `harness overhead: proxy +0.052 ms p50 / +1.20 ms p99, tap +0.031 ms p50 / +0.210 ms p99`.
 */
import type { HarnessOverhead } from '../model/harness-overhead.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { ms } from './format.ts';

type Environment = ScenarioResult['environment'];

/** `builtin proxy 2.12.0`, or `no proxy`. */
export function proxyText(env: Environment, withVersion = true): string {
  if (env.proxy.kind === 'none') return 'no proxy';
  return withVersion && env.proxy.version ? `${env.proxy.kind} proxy ${env.proxy.version}` : `${env.proxy.kind} proxy`;
}

/**
 * One line on what sits between the processes and the broker and what it cost; undefined for
 * an older result that measured nothing and used a proxy (there is nothing to add then).
 */
export function harnessOverheadLine(env: Environment): string | undefined {
  const parts: string[] = [];
  if (env.proxy.kind === 'none') parts.push(`no proxy: ${env.proxy.reason ?? 'none was used'}`);
  if (env.harnessOverhead) parts.push(`harness overhead: ${overheadText(env.harnessOverhead)}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** `proxy +0.052 ms p50 / +1.20 ms p99, tap … (300 round trips per path, took 240 ms)`, and any error. */
export function overheadText(overhead: HarnessOverhead): string {
  const added = [
    overhead.proxy ? `proxy ${addedText(overhead.proxy)}` : undefined,
    overhead.tap ? `tap ${addedText(overhead.tap)}` : undefined,
  ].filter((text): text is string => text !== undefined);
  const measured = added.length > 0 ? `${added.join(', ')} (${calibrationText(overhead)})` : 'not measured';
  return overhead.error ? `${measured}; ${overhead.error}` : measured;
}

/** Each path's own round trip, for the report's detail. */
export function calibrationPathsText(overhead: HarnessOverhead): string {
  return overhead.paths.map((path) => `${path.path} p50 ${ms(path.p50Ms)} p99 ${ms(path.p99Ms)}`).join(', ');
}

function calibrationText(overhead: HarnessOverhead): string {
  return `${overhead.roundTrips} round trips per path, took ${ms(overhead.costMs)}`;
}

function addedText(added: { p50Ms: number; p99Ms: number }): string {
  return `${signedMs(added.p50Ms)} p50 / ${signedMs(added.p99Ms)} p99`;
}

/** `+0.052 ms`, `−0.010 ms`, `+1.20 ms`: differences of a few microseconds keep their digits. */
export function signedMs(value: number): string {
  const sign = value < 0 ? '−' : '+';
  const size = Math.abs(value);
  return `${sign}${size < 1 ? `${size.toFixed(3)} ms` : ms(size)}`;
}
