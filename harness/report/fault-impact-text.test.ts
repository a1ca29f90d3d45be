import { describe, expect, it } from 'vitest';
import type { FaultImpactRecord, ScenarioResult } from '../model/result-schema.ts';
import { makeSyntheticResult } from '../bench/synthetic-result.ts';
import { faultImpactLine } from './fault-impact-text.ts';
import { renderFaultImpact } from './html/sections/fault-impact.ts';
import { renderMarkdown } from './markdown.ts';
import { formatTerminalSummary } from './terminal-summary.ts';

const failed = { timeout: 0, connectionLost: 10, notConnected: 90, other: 0 };
/** quorum-leader-kill as seen on a quiet machine: client-3's connection was on the killed node. */
const killNode: FaultImpactRecord = {
  faultId: 'fault-1',
  description: 'kill the quorum leader node',
  unavailabilityMs: 999,
  recoveryMs: 1000,
  baselinePerSec: 30,
  baseline: 'before-fault',
  failed,
  clients: [
    { client: 'client-1', unavailabilityMs: 0, recoveryMs: 1000, baselinePerSec: 10, baseline: 'before-fault' },
    { client: 'client-2', unavailabilityMs: 999, recoveryMs: 1000, baselinePerSec: 10, baseline: 'before-fault' },
    { client: 'client-3', unavailabilityMs: 10_999, recoveryMs: 2000, baselinePerSec: 10, baseline: 'before-fault' },
  ],
  worstUnavailability: { client: 'client-3', ms: 10_999 },
  worstRecovery: { client: 'client-3', ms: 2000 },
};
const withImpact = (...faultImpact: FaultImpactRecord[]): ScenarioResult => ({
  ...makeSyntheticResult(),
  faultImpact,
});

describe('fault impact in the reports', () => {
  it('names the worst client beside the figures for all clients, in the terminal header', () => {
    const text = formatTerminalSummary(withImpact(killNode), { color: false });
    expect(text).toContain(
      'impact    unavailability 999 ms, worst client client-3 11.00 s · ' +
        'recovery 1.00 s, worst client client-3 2.00 s · rate before the first fault 30.0/s',
    );
  });

  it('gives each client its row in summary.md, the worst in bold', () => {
    const markdown = renderMarkdown(withImpact(killNode));
    expect(markdown).toContain('### Fault impact');
    expect(markdown).toContain('| fault-1 kill the quorum leader node | all clients | 999 ms | 1.00 s | 30.0/s |');
    expect(markdown).toContain('| fault-1 kill the quorum leader node | **client-3** | 11.00 s | 2.00 s | 10.0/s |');
    expect(markdown).toContain('| fault-1 kill the quorum leader node | client-1 | 0.00 ms | 1.00 s | 10.0/s |');
  });

  it('shows the worst client and every client under its fault in report.html', () => {
    const html = renderFaultImpact(withImpact(killNode));
    expect(html).toContain('worst client (unavailable)</div><div class="value">client-3 11.00 s');
    expect(html).toMatch(/client-3 <span class="bad">worst<\/span><\/td>\s*<td class="num">11.00 s/);
    expect(html).toMatch(/client-1<\/td>\s*<td class="num">0.00 ms/);
  });

  it('says there was no baseline, not "never recovered", for a fault in the first second of a closed loop', () => {
    const early: FaultImpactRecord = {
      ...killNode,
      recoveryMs: null,
      baselinePerSec: 0,
      baseline: 'none',
      clients: killNode.clients!.map((c) => ({ ...c, recoveryMs: null, baselinePerSec: 0, baseline: 'none' })),
      worstRecovery: undefined,
    };
    const line = faultImpactLine(withImpact(early));
    expect(line).toContain('recovery no baseline before the fault');
    expect(line).not.toContain('never recovered');
    const html = renderFaultImpact(withImpact(early));
    expect(html).not.toContain('never recovered');
    expect(html).toContain('no baseline before the fault');
    expect(renderMarkdown(withImpact(early))).not.toContain('never recovered');
  });

  it('says what recovery was measured against when the fault came in the first second of an open loop', () => {
    const line = faultImpactLine(withImpact({ ...killNode, baseline: 'offered-load' }));
    expect(line).toContain('offered rate 30.0/s (the fault came in the first second)');
  });

  it('does not repeat a lone client: its figures are those of all clients', () => {
    const lone: FaultImpactRecord = {
      ...killNode,
      clients: [killNode.clients![0]!],
      worstUnavailability: { client: 'client-1', ms: 0 },
      worstRecovery: { client: 'client-1', ms: 1000 },
    };
    expect(faultImpactLine(withImpact(lone))).not.toContain('worst client');
    expect(renderMarkdown(withImpact(lone))).not.toContain('| client-1 |');
    expect(renderFaultImpact(withImpact(lone))).not.toContain('worst client');
  });

  it('shows an older result without per-client figures as before', () => {
    const { clients, worstUnavailability, worstRecovery, baseline, ...older } = killNode;
    const line = faultImpactLine(withImpact(older));
    expect(line).toBe('unavailability 999 ms · recovery 1.00 s · rate before the first fault 30.0/s');
  });
});
