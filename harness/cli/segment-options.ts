/**
 * The command-line side of a segmented run: `--segment k/K`, `--role servers --segments K`,
 * `--start-at`, checked together so every mistake is reported at once, before a process starts.
 */
import type { BrokerChoice } from '../env/select-broker.ts';
import type { ScenarioOverrides } from '../scenario/apply-overrides.ts';
import { parseSegment, parseStartAt, MAX_SEGMENTS, type SegmentRequest } from '../segment/segment-spec.ts';

export const ROLES = ['all', 'clients', 'servers'] as const;
export type RunRole = (typeof ROLES)[number];

export interface SegmentCliOptions {
  readonly segment?: string;
  readonly segments?: number;
  readonly role?: RunRole;
  readonly startAt?: string;
  readonly seed?: number;
  readonly broker: BrokerChoice;
  readonly repeat: number;
  readonly serverCmd?: string;
  readonly clientCmd?: string;
  readonly baseline?: string;
  readonly saveBaseline?: string;
}

export interface SegmentContext {
  readonly scenarioSource: string;
  readonly overrides: ScenarioOverrides;
  readonly gates: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly nowEpochMs?: number;
}

/** The participant the options ask for, undefined for a whole run, or every problem. */
export function segmentRequestFromCli(
  cli: SegmentCliOptions,
  context: SegmentContext,
): { request?: SegmentRequest; errors: string[] } {
  const segmented =
    cli.segment !== undefined ||
    cli.segments !== undefined ||
    cli.startAt !== undefined ||
    (cli.role !== undefined && cli.role !== 'all');
  if (!segmented) return { errors: [] };
  const errors: string[] = [];
  const role = cli.role ?? (cli.segments !== undefined && cli.segment === undefined ? 'servers' : 'clients');
  if (role === 'all')
    errors.push(
      '--role all runs servers and clients in one place and cannot be a segment: ' +
        'use --segment k/K for a share of the clients and --role servers --segments K for the servers',
    );

  let index = 0;
  let count = 0;
  if (role === 'clients') {
    if (cli.segment === undefined)
      errors.push('--role clients needs --segment k/K (which share of the load this machine runs)');
    else {
      try {
        ({ index, count } = parseSegment(cli.segment));
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
    if (cli.segments !== undefined)
      errors.push('--segments is for --role servers; a clients segment says its count in --segment k/K');
    if (cli.serverCmd !== undefined)
      errors.push('--server-cmd starts servers, and a clients segment starts none: give it to the --role servers run');
  } else if (role === 'servers') {
    if (cli.segments === undefined)
      errors.push('--role servers needs --segments K (how many clients segments to wait for)');
    else if (!(Number.isInteger(cli.segments) && cli.segments >= 1 && cli.segments <= MAX_SEGMENTS))
      errors.push(`--segments must be an integer from 1 to ${MAX_SEGMENTS}, got ${cli.segments}`);
    else count = cli.segments;
    if (cli.segment !== undefined)
      errors.push('--segment k/K is for a clients segment; the servers run takes --segments K');
    if (cli.clientCmd !== undefined)
      errors.push('--client-cmd starts clients, and the servers run starts none: give it to the --segment runs');
  }

  let startAtEpochMs = 0;
  if (cli.startAt === undefined)
    errors.push(
      'a segmented run needs --start-at <ISO time>, the same on every machine, e.g. --start-at 2026-12-01T10:00:00Z',
    );
  else {
    try {
      startAtEpochMs = parseStartAt(cli.startAt, context.nowEpochMs);
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  if (cli.seed === undefined)
    errors.push('segments must share one call plan: give the same --seed to every segment and the servers run');
  const env = context.env ?? process.env;
  if (!(cli.broker === 'url' || (cli.broker === 'auto' && env.AMQP_URL))) {
    errors.push(
      'segments share one broker: set AMQP_URL to it (with --broker url or auto); ' +
        `--broker ${cli.broker}${cli.broker === 'auto' ? ' without AMQP_URL' : ''} ` +
        'would start a private broker on each machine',
    );
  }
  if (cli.baseline !== undefined || cli.saveBaseline !== undefined)
    errors.push(
      '--baseline and --save-baseline judge a whole run, and a segment is a share of one: ' +
        'compare the merged run instead',
    );
  if (cli.repeat !== 1)
    errors.push('--repeat cannot be combined with segments: repeat the whole segmented run instead');
  if (errors.length > 0 || role === 'all') return { errors };
  return {
    errors,
    request: {
      role,
      index,
      count,
      startAtEpochMs,
      scenarioSource: context.scenarioSource,
      overrides: context.overrides,
      gates: context.gates,
    },
  };
}
