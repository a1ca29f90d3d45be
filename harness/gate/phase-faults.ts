import type { FaultSpec } from '../chaos/fault-spec.ts';
import type { CallsByStart, FaultRecord } from '../model/result-schema.ts';
import type { OutcomeCounts } from '../observe/calls-by-start.ts';

/**
 * Which fault a phase gate names, and the window of the run that phase covers.
 *
 *   phase = ( "during" | "after" ) "(" fault ")"
 *   fault = a fault kind as a scenario writes it   (disable-proxy, partition-node, toxic, ...)
 *         | a family of kinds                      (partition, kill, pause, restart, reset)
 *         | a fault id                             (fault-2, as in result.json's faults[])
 *         | a 1-based index into the scenario's faults  (2, the same fault as fault-2)
 *
 * Several faults can match (two kills, or `partition` over a proxy outage and a node
 * partition). The gate then applies to each matching fault and the worst one decides: a
 * scenario that kills twice and gates `during(kill).p99<2s` means "every kill", which is
 * how `recovery_time` already judges the worst fault. Making it an error would force ids,
 * and ids move when faults are reordered.
 */
export type PhaseKind = 'during' | 'after';

export interface PhaseSelector {
  readonly kind: PhaseKind;
  /** As written inside the parentheses. */
  readonly fault: string;
}

/** Every kind a scenario can schedule; the Record makes the compiler insist on new ones. */
const KINDS: Readonly<Record<FaultSpec['kind'], true>> = {
  'kill-server-at-fault-point': true,
  'kill-server': true,
  toxic: true,
  'disable-proxy': true,
  'close-connections': true,
  blackhole: true,
  'restart-broker': true,
  'servers-stop-replying': true,
  'kill-node': true,
  'pause-node': true,
  'partition-node': true,
  'rolling-restart': true,
  'memory-alarm': true,
  'delete-request-queue': true,
};
export const FAULT_KINDS: readonly string[] = Object.keys(KINDS);

/** A proxy taken down cuts clients or servers off the broker: the `partition` scenario is built from it. */
export const FAULT_FAMILIES: Readonly<Record<string, readonly FaultSpec['kind'][]>> = {
  partition: ['partition-node', 'disable-proxy'],
  kill: ['kill-server', 'kill-server-at-fault-point', 'kill-node'],
  pause: ['pause-node'],
  restart: ['restart-broker', 'rolling-restart'],
  reset: ['close-connections'],
};

export const FAULT_NAMES_HELP =
  `a fault kind (${FAULT_KINDS.join(', ')}), a family ` +
  `(${Object.keys(FAULT_FAMILIES).join(', ')}), a fault id (fault-1) or a 1-based index (1)`;

/** Undefined when `name` is a well-formed selector; otherwise what is wrong with it. */
export function selectorProblem(name: string): string | undefined {
  if (name === '') return `name a fault inside the parentheses: ${FAULT_NAMES_HELP}`;
  if (/^[1-9]\d*$/.test(name) || /^fault-[1-9]\d*$/.test(name) || FAULT_KINDS.includes(name) || familyOf(name))
    return undefined;
  return `unknown fault "${name}"; name ${FAULT_NAMES_HELP}`;
}

/** Words offered as "did you mean". */
export const SUGGESTABLE_FAULT_NAMES: readonly string[] = [...FAULT_KINDS, ...Object.keys(FAULT_FAMILIES)];

/** The faults `name` selects, in scenario order. */
export function matchFaults<F extends { readonly id: string; readonly kind: string }>(
  name: string,
  faults: readonly F[],
): F[] {
  if (/^[1-9]\d*$/.test(name)) return faults.filter((fault) => fault.id === `fault-${name}`);
  const family: readonly string[] = familyOf(name) ?? [];
  return faults.filter((fault) => fault.id === name || fault.kind === name || family.includes(fault.kind));
}

/** Own keys only: `constructor` is no family. */
function familyOf(name: string): readonly string[] | undefined {
  return Object.hasOwn(FAULT_FAMILIES, name) ? FAULT_FAMILIES[name] : undefined;
}

/** `fault-1 disable-proxy (servers proxy down for 2000 ms)`, one per fault: for error messages. */
export function listFaults(
  faults: ReadonlyArray<{ readonly id: string; readonly kind: string; readonly description: string }>,
): string {
  return faults.length === 0
    ? 'the scenario schedules no fault'
    : `its faults: ${faults.map((f) => `${f.id} ${f.kind} (${f.description})`).join(', ')}`;
}

/**
 * Before the run: every phase gate must name a fault the scenario schedules. Ids are the
 * scheduler's (`fault-<index>`), so the same names resolve against result.json afterwards.
 */
export function phaseSelectorErrors(
  gates: ReadonlyArray<{ readonly expression: string; readonly phase?: PhaseSelector }>,
  faults: ReadonlyArray<{ readonly kind: string; readonly description: string }>,
): string[] {
  const scheduled = faults.map((fault, index) => ({ ...fault, id: `fault-${index + 1}` }));
  return gates.flatMap((gate) => {
    if (!gate.phase || matchFaults(gate.phase.fault, scheduled).length > 0) return [];
    return [
      `gate "${gate.expression}": no fault of this scenario matches "${gate.phase.fault}"; ${listFaults(scheduled)}`,
    ];
  });
}

/** Faults that end sooner than this are instantaneous: see phaseWindow. */
const SHORT_FAULT_MS = 1000;

export interface Window {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * The window a phase covers, in ms since the run start (the clock of faults[] and the
 * intervals), before it is rounded to whole intervals.
 *
 * - during(X) = [X's start, X's end]. A fault that never ended lasted to the end of the load.
 *   A fault shorter than a second (a connection reset, a kill without restart) is over
 *   before its effect is: what it disturbs is the calls that reconnect after it, so its
 *   window is [start, start + call timeout].
 * - after(X) = [X's end, end of the load]. A fault that never ended has no after phase.
 */
export function phaseWindow(
  kind: PhaseKind,
  fault: FaultRecord,
  run: { readonly timeoutMs: number; readonly loadDurationMs: number },
): Window | { readonly problem: string } {
  const name = `${fault.id} (${fault.description})`;
  if (!fault.fired || fault.startMs === undefined)
    return { problem: `${name} did not fire, so it has no ${kind} phase` };
  const startMs = fault.startMs;
  if (kind === 'during') {
    if (fault.endMs === undefined) return { fromMs: startMs, toMs: run.loadDurationMs };
    const toMs = fault.endMs - startMs < SHORT_FAULT_MS ? Math.max(fault.endMs, startMs + run.timeoutMs) : fault.endMs;
    return { fromMs: startMs, toMs };
  }
  if (fault.endMs === undefined)
    return { problem: `${name} did not end before the load did, so it has no after phase` };
  return { fromMs: fault.endMs, toMs: run.loadDurationMs };
}

export interface WindowCalls {
  /** The window as read: whole intervals, the last one cut at the end of the load. */
  readonly read: Window;
  readonly counts: OutcomeCounts;
  /** Encoded histograms of the answered calls, one per interval (HDR adds them exactly). */
  readonly histograms: readonly string[];
}

/**
 * The calls started in a window, from whole intervals: each boundary is rounded to the nearest
 * interval boundary (so `during` and `after` of one fault never share an interval, and the
 * resolution is half an interval, 125 ms, either way); a window shorter than that reads the one
 * interval holding its middle.
 */
export function callsInWindow(calls: CallsByStart, window: Window): WindowCalls | { readonly problem: string } {
  const interval = calls.intervalMs;
  let first = Math.round(window.fromMs / interval);
  let end = Math.round(window.toMs / interval);
  if (end <= first) {
    first = Math.floor((window.fromMs + window.toMs) / 2 / interval);
    end = first + 1;
  }
  const fromMs = first * interval;
  const toMs = Math.min(end * interval, calls.loadDurationMs);
  if (toMs <= fromMs)
    return {
      problem: `the window starts at ${seconds(fromMs)}, when the load had ended (${seconds(calls.loadDurationMs)})`,
    };
  const counts: OutcomeCounts = {
    answered: 0,
    wrongResult: 0,
    timedOut: 0,
    remoteErrors: 0,
    connectionLost: 0,
    otherErrors: 0,
  };
  const histograms: string[] = [];
  for (const point of calls.intervals) {
    const index = Math.round(point.tMs / interval);
    if (index < first || index >= end) continue;
    for (const key of Object.keys(counts) as Array<keyof OutcomeCounts>) counts[key] += point[key];
    if (point.histogram) histograms.push(point.histogram);
  }
  return { read: { fromMs, toMs }, counts, histograms };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : ms % 100 === 0 ? 1 : 2)} s`;
}
