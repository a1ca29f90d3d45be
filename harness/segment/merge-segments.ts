/**
 * `npm run report -- --merge <dir>...`: one run from the folders of its participants. The
 * whole scenario is rebuilt from its name and the recorded command-line options, and the
 * run is assembled by the same code a single run uses (assembleResult), from every
 * participant's raw observations: histograms added from their encoded forms (exact, as
 * HdrHistogram adds bucket by bucket), counters summed, call id sets joined, events
 * interleaved by time. Checks and gates are evaluated on that merged run.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { makeDirectory } from '../env/output-paths.ts';
import { describeFault } from '../chaos/fault-spec.ts';
import type { FinalObservations, ReportingInstance } from '../impl/implementation.ts';
import type { ClientTally, ServerTally } from '../impl/instance-report.ts';
import { CallIdSet } from '../observe/call-id-set.ts';
import type { FaultRecord, ScenarioResult, TimelineEvent } from '../model/result-schema.ts';
import { applyGates, prepareGates } from '../gate/apply-gates.ts';
import { applyOverrides } from '../scenario/apply-overrides.ts';
import { assembleResult } from '../engine/assemble-result.ts';
import type { AssembleInput } from '../engine/run-contract.ts';
import { SPANS_FILE } from '../engine/collect-traces.ts';
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import { isScenarioPath, loadScenarioFile } from '../scenario/load-scenario-file.ts';
import { findScenario } from '../../scenarios/index.ts';
import { checkSegmentSet, participantName, type SegmentFolder, type SegmentSet } from './check-segment-set.ts';
import { callIdsUniqueAcrossSegments } from './segment-checks.ts';
import {
  mergedClientImplementation,
  participantImplementation,
  scenarioOptions,
} from './participant-implementation.ts';
import { readSegmentRecord, type SegmentRecord } from './segment-record.ts';

/** As many events as a single run keeps; the rest are counted as dropped. */
const MAX_TIMELINE_EVENTS = 20_000;

export class SegmentMergeError extends Error {
  override readonly name = 'SegmentMergeError';
}

/** Reads and checks the folders, or throws one error listing every problem. */
export function readSegmentFolders(dirs: readonly string[]): SegmentFolder[] {
  const problems: string[] = [];
  const folders: SegmentFolder[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    if (seen.has(resolve(dir))) {
      problems.push(`${dir} is given twice`);
      continue;
    }
    seen.add(resolve(dir));
    try {
      folders.push({ dir, record: readSegmentRecord(dir) });
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new SegmentMergeError(`cannot merge:\n  - ${problems.join('\n  - ')}`);
  return folders;
}

/**
 * The merged ScenarioResult, gates applied; its span file is written to `outDir`, which is
 * created only once the folders are found to be one run. A merge that fails after that
 * removes the folders it created and the span copies it made, so a refusal leaves nothing.
 */
export async function mergeSegments(dirs: readonly string[], outDir: string): Promise<ScenarioResult> {
  if (dirs.length === 0) throw new SegmentMergeError('cannot merge: no folders given');
  const folders = readSegmentFolders(dirs);
  const set = checkSegmentSet(folders);
  if (set.problems.length > 0)
    throw new SegmentMergeError(`cannot merge these folders into one run:\n  - ${set.problems.join('\n  - ')}`);
  const first = folders[0]!.record;
  const definition = await wholeScenario(first);
  const created = highestMissingLevel(outDir);
  makeDirectory(outDir);
  const spanFiles: string[] = [];
  try {
    return await assembleMerged(set, first, definition, outDir, spanFiles);
  } catch (error) {
    for (const file of spanFiles) rmSync(file, { force: true });
    if (created) rmSync(created, { recursive: true, force: true });
    throw error;
  }
}

/** The outermost folder of `dir` that does not exist yet: what makeDirectory creates. */
function highestMissingLevel(dir: string): string | undefined {
  let missing: string | undefined;
  // Ends at the file system's root, which exists.
  for (let level = resolve(dir); !existsSync(level); level = dirname(level)) missing = level;
  return missing;
}

/**
 * The whole run from a checked set of folders (`first`: the first folder given, whose identity
 * they share); `spanFiles` receives each span copy as it is made.
 */
async function assembleMerged(
  set: SegmentSet,
  first: SegmentRecord,
  definition: ScenarioDefinition,
  outDir: string,
  spanFiles: string[],
): Promise<ScenarioResult> {
  const participants = [...set.segments, ...(set.servers ? [set.servers] : [])];
  copySpanFiles(participants, outDir, spanFiles);
  const assembled = await assembleResult(mergedInput(set, participants, first, definition, outDir, spanFiles));
  const merged = withSegments(assembled, set, participants, first);
  const gates = prepareGates(first.gates, {
    tolerancePct: 10,
    scenario: definition.name,
    scenarioGates: definition.gates,
    faults: definition.faults,
  });
  return applyGates([merged], gates, {}).results[0]!;
}

/** collectTraces consumes its inputs: it is given copies, the segment folders stay as they were. */
function copySpanFiles(participants: readonly SegmentFolder[], outDir: string, spanFiles: string[]): void {
  for (const { dir, record } of participants) {
    const spans = join(dir, SPANS_FILE);
    if (record.tracing.enabled && existsSync(spans)) {
      const copy = join(outDir, `spans-${participantName(record)}.jsonl`);
      // Listed first: a copy that fails halfway is removed with the others.
      spanFiles.push(copy);
      copyFileSync(spans, copy);
    }
  }
}

/**
 * Every participant's clients, servers and tallies, each named by its participant, and the requests
 * the servers handled.
 */
function participantInstances(
  participants: readonly SegmentFolder[],
): Pick<AssembleInput, 'clients' | 'servers' | 'clientTallies' | 'serverTallies' | 'handledCallIds'> {
  const clients: ReportingInstance[] = [];
  const servers: ReportingInstance[] = [];
  const clientTallies = new Map<string, ClientTally>();
  const serverTallies = new Map<string, ServerTally>();
  const handledCallIds = new CallIdSet();
  for (const { record } of participants) {
    const part = participantName(record);
    for (const each of record.clients)
      clients.push({ name: `${part}/${each.name}`, final: each.final as FinalObservations | undefined });
    for (const each of record.servers)
      servers.push({ name: `${part}/${each.name}`, final: each.final as FinalObservations | undefined });
    for (const [name, tally] of Object.entries(record.clientTallies)) clientTallies.set(`${part}/${name}`, tally);
    for (const [name, tally] of Object.entries(record.serverTallies)) serverTallies.set(`${part}/${name}`, tally);
    handledCallIds.addAll(record.handledCallIds);
  }
  return { clients, servers, clientTallies, serverTallies, handledCallIds };
}

/** What a single run gathers, gathered from every participant: the input of assembleResult. */
function mergedInput(
  set: SegmentSet,
  participants: readonly SegmentFolder[],
  first: SegmentRecord,
  definition: ScenarioDefinition,
  outDir: string,
  spanFiles: readonly string[],
): AssembleInput {
  const expired = participants.filter((p) => p.record.expiredRequestIds !== undefined);
  const sum = (pick: (record: SegmentRecord) => number) => participants.reduce((total, p) => total + pick(p.record), 0);
  return {
    definition,
    options: {
      definition,
      broker: 'url',
      proxy: 'auto',
      seed: first.identity.seed,
      runDir: outDir,
      gates: first.gates,
      tracing: first.tracing,
    },
    runId: `${first.identity.scenario}-merged-${first.identity.startAt.replace(/[:.]/g, '-')}`,
    startedAt: new Date(Math.min(...participants.map((p) => Date.parse(p.record.startedAt)))),
    endedAt: new Date(Math.max(...participants.map((p) => Date.parse(p.record.endedAt)))),
    runStartEpochMs: Date.parse(first.identity.startAt),
    topology: (set.servers ?? set.segments[0]!).record.topology,
    ...participantInstances(participants),
    faults: set.servers ? set.servers.record.faults : notRun(definition),
    timeline: interleave(participants),
    harnessErrors: participants.flatMap((p) =>
      p.record.harnessErrors.map((error) => `${participantName(p.record)}: ${error}`),
    ),
    extra: {
      brokerRestarts: sum((r) => r.extra.brokerRestarts),
      serverKills: sum((r) => r.extra.serverKills),
      serverRestarts: sum((r) => r.extra.serverRestarts),
    },
    spanFiles,
    implementations: {
      server: set.servers?.record.implementations.server ?? 'not run by the harness',
      client: mergedClientImplementation(set.segments.map((s) => s.record)),
    },
    interrupted: participants.some((p) => p.record.interrupted),
    loadEndedEpochMs: Math.max(...set.segments.map((s) => s.record.loadEndedEpochMs ?? Date.parse(s.record.endedAt))),
    requestsQueuedAtStop: set.servers?.record.requestsQueuedAtStop,
    expiredRequestIds:
      expired.length > 0 ? new Set(expired.flatMap((p) => p.record.expiredRequestIds ?? [])) : undefined,
  };
}

/**
 * The assembled run as one of segments: the check that call ids are unique across segments
 * added, the verdict judged again with it, the merge's warnings, and who took part.
 */
function withSegments(
  assembled: ScenarioResult,
  set: SegmentSet,
  participants: readonly SegmentFolder[],
  first: SegmentRecord,
): ScenarioResult {
  const warnings = [
    ...(set.clockSkewWarning ? [set.clockSkewWarning] : []),
    ...(set.servers
      ? []
      : [
          'no --role servers run was merged: the servers were run elsewhere, ' +
            "so nothing says which requests they handled, and the scenario's faults did not run",
        ]),
  ];
  const distinctIds = callIdsUniqueAcrossSegments(
    set.segments.map((s) =>
      s.record.clients.flatMap((c) => (c.final?.sentRequests ? [c.final.sentRequests.published] : [])),
    ),
  );
  const checks = [...assembled.checks, distinctIds];
  const startAtEpochMs = Date.parse(first.identity.startAt);
  return {
    ...assembled,
    config: { ...assembled.config, queue: first.identity.queue },
    checks,
    verdict:
      assembled.verdict === 'error' || assembled.verdict === 'interrupted'
        ? assembled.verdict
        : checks.every((check) => check.passed)
          ? 'pass'
          : 'fail',
    warnings: [...(assembled.warnings ?? []), ...warnings],
    segments: {
      count: first.identity.count,
      startAt: first.identity.startAt,
      clockSkewMs: set.clockSkewMs,
      participants: participants.map(({ dir, record }) => ({
        role: record.role,
        index: record.index,
        dir,
        host: record.host,
        localAddress: record.localAddress,
        startOffsetMs: record.recordedStartEpochMs - startAtEpochMs,
        sent: record.counters.sent,
        answered: record.counters.answered,
        implementation: participantImplementation(record),
      })),
    },
  };
}

/** The scenario of the whole run: as named on the command line, with the same options applied. */
async function wholeScenario(record: SegmentRecord): Promise<ScenarioDefinition> {
  const source = record.scenarioSource;
  const base = findScenario(source) ?? (isScenarioPath(source) ? await loadScenarioFile(source) : undefined);
  if (!base)
    throw new SegmentMergeError(
      `cannot merge: the segments ran scenario "${source}", which this harness does not know; ` +
        'merge where that scenario (file) exists',
    );
  const { definition, errors } = applyOverrides(base, scenarioOptions(record.overrides));
  if (errors.length > 0)
    throw new SegmentMergeError(
      `cannot merge: the segments' scenario options are not valid here:\n  - ${errors.join('\n  - ')}`,
    );
  return definition;
}

/** Without a servers run, the scenario's faults never ran: listed as not fired, so faults-fired says so. */
function notRun(definition: ScenarioDefinition): FaultRecord[] {
  return definition.faults.map((spec, index) => ({
    id: `fault-${index + 1}`,
    kind: spec.kind,
    fired: false,
    ...describeFault(spec),
  }));
}

/** Every participant's events on the one time axis they share (the agreed start), processes named by participant. */
function interleave(participants: readonly SegmentFolder[]): ScenarioResult['timeline'] {
  const events: TimelineEvent[] = participants
    .flatMap(({ record }) =>
      record.timeline.events.map((event) => ({ ...event, process: `${participantName(record)}/${event.process}` })),
    )
    .sort((a, b) => a.tMs - b.tMs);
  const dropped =
    participants.reduce((total, p) => total + p.record.timeline.dropped, 0) +
    Math.max(0, events.length - MAX_TIMELINE_EVENTS);
  return { events: events.slice(0, MAX_TIMELINE_EVENTS), dropped };
}
