/**
 * What every phase of a run shares and nothing else: the run's clock, its timeline, the
 * harness errors it reports, the abort signal (Ctrl-C) and the phase announcements the user
 * sees. Everything else a phase needs it takes as an argument and hands on as its result.
 */
import type { TimelineEvent } from '../model/result-schema.ts';
import { Timeline } from '../observe/timeline.ts';
import type { RunOptions } from './run-contract.ts';

const MAX_TIMELINE_EVENTS = 20_000;

/**
 * The run's start, from which every interval and timeline time counts, and its load's start
 * and end. Until the load starts, the run start is when the run was set up (or, for a
 * participant of a segmented run, the agreed start).
 */
export class RunClock {
  private startEpochMs: number;
  private loadStartedAt: number | undefined;
  private loadEndedAt: number | undefined;

  constructor(startEpochMs: number) {
    this.startEpochMs = startEpochMs;
  }

  get runStartEpochMs(): number {
    return this.startEpochMs;
  }

  readonly elapsedMs = (): number => Math.max(0, Date.now() - this.startEpochMs);

  /** The load starts: the run start becomes `epochMs`. */
  startLoad(epochMs: number): void {
    this.startEpochMs = epochMs;
    this.loadStartedAt = epochMs;
  }

  endLoad(): void {
    this.loadEndedAt = Date.now();
  }

  get loadStarted(): boolean {
    return this.loadStartedAt !== undefined;
  }

  /** When the last client finished its load; undefined if the load never ended normally. */
  get loadEndedEpochMs(): number | undefined {
    return this.loadEndedAt;
  }
}

export type RecordEvent = (event: Omit<TimelineEvent, 'tMs'> & { tMs?: number }) => void;

export interface RunContext {
  readonly clock: RunClock;
  readonly timeline: Timeline;
  /** Writes an event `tMs` after the run start, or now when absent. */
  readonly record: RecordEvent;
  /** What went wrong in the harness; a run with any (and not interrupted) has verdict error. */
  readonly harnessErrors: string[];
  readonly signal: AbortSignal | undefined;
  readonly onPhase: (phase: string) => void;
}

export function runContext(options: Pick<RunOptions, 'segment' | 'signal' | 'onPhase'>): RunContext {
  const timeline = new Timeline({ maxEvents: MAX_TIMELINE_EVENTS });
  // Every participant of a segmented run counts from the agreed start.
  const clock = new RunClock(options.segment?.startAtEpochMs ?? Date.now());
  return {
    clock,
    timeline,
    record: ({ tMs, ...event }) => {
      timeline.add({ ...event, atMs: tMs === undefined ? Date.now() : clock.runStartEpochMs + tMs });
    },
    harnessErrors: [],
    signal: options.signal,
    onPhase: (phase) => options.onPhase?.(phase),
  };
}

/** Whether Ctrl-C came: checked between the steps before the load, and by the result. */
export function interrupted(context: Pick<RunContext, 'signal'>): boolean {
  return context.signal?.aborted ?? false;
}
