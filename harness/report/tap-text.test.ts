import { describe, expect, it } from 'vitest';
import { makeSyntheticResult } from '../bench/synthetic-result.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import type { TapObservations } from '../model/tap-observations.ts';
import { tracingText } from './html/sections/header.ts';
import { renderDuplicateTrace } from './html/tap-waterfall.ts';
import { replyModeText, tapObservationText } from './tap-text.ts';

const PYTHON = { server: 'command: python3 rpc_server.py', client: 'command: python3 rpc_client_driver.py' };

function external(tap: TapObservations | undefined, patch: Partial<ScenarioResult> = {}): ScenarioResult {
  const base = makeSyntheticResult();
  return makeSyntheticResult({
    ...patch,
    environment: {
      ...base.environment,
      implementations: PYTHON,
      tracing: { enabled: true, sampleRatio: 0.1, budget: { perSecond: 200, total: 30_000 } },
    },
    traces: { tracedCalls: 0 },
    ...(tap ? { tap } : {}),
  });
}

const oneProcess = [{ process: 'client-1', established: 1, lost: 0, reestablished: 0, failedAttempts: 0 }];
const counts = (directReplyTo: number, callbackQueue: number) => ({ directReplyTo, callbackQueue });

describe('reports on what the frame tap saw of external implementations', () => {
  it('gives the reply mode each client used, as observed, over the configured one', () => {
    const direct = external({
      connections: oneProcess,
      replyModes: [{ client: 'client-1', mode: 'direct-reply-to', ...counts(500, 0) }],
    });
    expect(replyModeText(direct)).toBe('direct-reply-to (client-1, observed)');
    const mixed = external({
      connections: oneProcess,
      replyModes: [
        { client: 'client-1', mode: 'direct-reply-to', ...counts(500, 0) },
        { client: 'client-2', mode: 'callback-queue', ...counts(0, 500) },
      ],
    });
    expect(replyModeText(mixed)).toBe('mixed (client-1 direct-reply-to, client-2 callback-queue; observed)');
    expect(replyModeText(makeSyntheticResult())).toBe(makeSyntheticResult().environment.replyMode);
  });

  it('says plainly that external implementations are observed through the tap, and never for built-in ones', () => {
    expect(tapObservationText(external(undefined))).toContain(
      'external server and client observed through the AMQP frame tap',
    );
    expect(tapObservationText(makeSyntheticResult())).toBeUndefined();
  });

  it('does not blame the trace budget for an external client that writes no spans', () => {
    const text = tracingText(external(undefined, { counters: { ...makeSyntheticResult().counters, sent: 5_000 } }));
    expect(text).not.toContain('capped');
    expect(text).toContain('the client is external and writes no spans');
  });

  it("draws the duplicate's waterfall from the taps' frames when there are no spans", () => {
    const frames = [
      { tMs: 917, process: 'client-1', step: 'publish' as const, label: 'request published by client-1' },
      { tMs: 918, process: 'server-1', step: 'deliver' as const, label: 'delivered to server-1' },
      { tMs: 920, process: 'server-1', step: 'held' as const, label: 'server-1 held at the fault point' },
      { tMs: 972, process: 'server-1', step: 'kill' as const, label: 'server-1 killed' },
      {
        tMs: 982,
        process: 'server-2',
        step: 'deliver' as const,
        label: 'redelivered to server-2',
        redelivered: true,
      },
      { tMs: 983, process: 'client-1', step: 'deliver' as const, label: 'duplicate reply delivered to client-1' },
    ];
    const base = makeSyntheticResult();
    const result = external(
      { connections: oneProcess, duplicateReplyFrames: { correlationId: 'c-1', frames } },
      { counters: { ...base.counters, discarded: { duplicate: 1, late: 0, unknown: 0 } } },
    );
    const html = renderDuplicateTrace({ ...result, traces: {} });
    expect(html).not.toContain('No duplicate reply');
    expect(html).toContain('data-source="frame-tap"');
    expect(html).toContain('+66 ms · duplicate reply delivered to client-1');
    expect(html).toContain('redelivered to server-2');
  });

  it('never says there was no duplicate when one reached a client but no trace of it is kept', () => {
    const base = makeSyntheticResult();
    const result = external(
      { connections: oneProcess },
      { counters: { ...base.counters, discarded: { duplicate: 2, late: 0, unknown: 0 } } },
    );
    const html = renderDuplicateTrace({ ...result, traces: {} });
    expect(html).not.toContain('No duplicate reply');
    expect(html).toContain('2 duplicate replies reached a client');
  });
});
