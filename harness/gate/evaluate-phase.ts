import type { GateResult, ScenarioResult } from '../model/result-schema.ts';
import { formatMetricValue, whoText } from './format-gates.ts';
import type { Reading } from './metrics.ts';
import { compare, type ParsedGate } from './parse-gate.ts';
import { callsInWindow, listFaults, matchFaults, phaseWindow, seconds, type Window } from './phase-faults.ts';

type PhaseGate = ParsedGate & { readonly phase: NonNullable<ParsedGate['phase']> };

interface FaultReading {
  readonly faultId: string;
  readonly window?: Window;
  readonly reading: Reading;
}

/**
 * A phase gate over one run: the metric read in the window of every fault it names, and
 * the worst of them decides (phase-faults.ts says why). It fails, with the reason, when no
 * fault matches, a matching fault did not fire, or a window has no samples.
 */
export function evaluatePhaseGate(result: ScenarioResult, gate: PhaseGate, source: GateResult['source']): GateResult {
  const { phase } = gate;
  const faults = matchFaults(phase.fault, result.faults);
  const readings = faults.map((fault): FaultReading => {
    const calls = result.callsByStart;
    if (!calls)
      return {
        faultId: fault.id,
        reading: {
          value: null,
          why:
            'this result has no per-phase call data ' +
            '(written before phase gates existed, or a client did not report)',
        },
      };
    const window = phaseWindow(phase.kind, fault, {
      timeoutMs: result.config.timeoutMs,
      loadDurationMs: calls.loadDurationMs,
    });
    if ('problem' in window) return { faultId: fault.id, reading: { value: null, why: window.problem } };
    const inWindow = callsInWindow(calls, window);
    if ('problem' in inWindow)
      return { faultId: fault.id, reading: { value: null, why: `${fault.id}: ${inWindow.problem}` } };
    return { faultId: fault.id, window: inWindow.read, reading: phase.metric.read(inWindow, fault, result) };
  });
  const windows = readings.flatMap((r) => (r.window ? [{ faultId: r.faultId, ...r.window }] : []));
  const common = {
    expression: gate.expression,
    metric: gate.metric,
    threshold: gate.threshold,
    unit: gate.unit,
    source,
    phase: { kind: phase.kind, fault: phase.fault, windows },
  };
  const label = `${phase.kind}(${phase.fault})`;
  if (faults.length === 0) {
    return {
      ...common,
      passed: false,
      actual: null,
      detail:
        `${label}: no fault of this run matches "${phase.fault}" ` +
        `(${listFaults(result.faults)}), so "${gate.expression}" cannot pass: FAIL`,
    };
  }
  const unreadable = readings.find((r) => r.reading.value === null);
  if (unreadable) {
    const where = unreadable.window ? ` ${unreadable.faultId} ${span(unreadable.window)}` : '';
    return {
      ...common,
      passed: false,
      actual: null,
      detail:
        `${label}${where}: ${(unreadable.reading as { why: string }).why}, ` +
        `so "${gate.expression}" cannot pass: FAIL`,
    };
  }
  const valued = readings as Array<FaultReading & { reading: { value: number; who?: string } }>;
  const failing = valued.find((r) => !compare(r.reading.value, gate.operator, gate.threshold));
  const decisive = failing ?? worst(valued, gate.definition.better);
  const passed = failing === undefined;
  const of = valued.length > 1 ? `worst of ${valued.length} faults: ` : '';
  const shown =
    `${of}${decisive.faultId} ${span(decisive.window!)} ${gate.definition.name} ` +
    `${formatMetricValue(decisive.reading.value, gate.unit)} ` +
    `${gate.operator} ${formatMetricValue(gate.threshold, gate.unit)}${whoText(decisive.reading.who)}`;
  return {
    ...common,
    passed,
    actual: decisive.reading.value,
    detail: `${label} ${shown}: ${passed ? 'pass' : 'FAIL'}`,
  };
}

function worst<R extends { reading: { value: number } }>(
  readings: readonly R[],
  better: ParsedGate['definition']['better'],
): R {
  if (better === 'neither') return readings[0]!;
  return readings.reduce((a, b) =>
    (better === 'lower' ? b.reading.value > a.reading.value : b.reading.value < a.reading.value) ? b : a,
  );
}

function span(window: Window): string {
  return `[${seconds(window.fromMs)}, ${seconds(window.toMs)})`;
}
