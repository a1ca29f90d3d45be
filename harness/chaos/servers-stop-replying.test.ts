import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../model/result-schema.ts';
import { validateScenario } from '../scenario/define-scenario.ts';
import noReply from '../../scenarios/no-reply.ts';
import { FaultScheduler, type FaultTargets } from './fault-scheduler.ts';
import { faultShapeProblems } from './fault-schema.ts';
import type { FaultSpec } from './fault-spec.ts';

/** Fault targets whose servers only record what they were told. */
function recordingTargets(withServers = true): { targets: FaultTargets; told: boolean[]; events: string[] } {
  const told: boolean[] = [];
  const events: string[] = [];
  const start = performance.now();
  const targets: FaultTargets = {
    restartBroker: async () => undefined,
    killServer: async () => undefined,
    startServer: async () => undefined,
    elapsedMs: () => Math.round(performance.now() - start),
    record: (event: Omit<TimelineEvent, 'tMs'>) => events.push(`${event.kind}: ${event.detail ?? ''}`),
    ...(withServers ? { replies: { withholdReplies: async (withhold: boolean) => void told.push(withhold) } } : {}),
  };
  return { targets, told, events };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
};

describe('servers-stop-replying', () => {
  it('tells the servers to withhold their replies at its trigger and to reply again when its window ends', async () => {
    const { targets, told, events } = recordingTargets();
    const fault: FaultSpec = { kind: 'servers-stop-replying', trigger: { atMs: 20 }, durationMs: 100 };
    const scheduler = new FaultScheduler([fault], targets);
    scheduler.start();
    await until(() => told.length === 2);
    await scheduler.stop();
    expect(told).toEqual([true, false]);
    expect(events).toEqual([
      'fault-start: servers consume and ack requests but never reply for 100 ms',
      'fault-end: servers consume and ack requests but never reply for 100 ms',
    ]);
    const [record] = scheduler.records();
    expect(record!.endMs! - record!.startMs!).toBeGreaterThanOrEqual(95);
  });

  it('without a duration, lasts until the run stops, which ends it', async () => {
    const { targets, told } = recordingTargets();
    const scheduler = new FaultScheduler([{ kind: 'servers-stop-replying', trigger: { atMs: 0 } }], targets);
    scheduler.start();
    await until(() => told.length === 1);
    expect(scheduler.records()[0]!.description).toBe(
      'servers consume and ack requests but never reply until the run ends',
    );
    await scheduler.stop();
    expect(told).toEqual([true, false]);
  });

  it('is a harness error, named, in a run whose servers cannot be told', async () => {
    const { targets } = recordingTargets(false);
    const scheduler = new FaultScheduler([{ kind: 'servers-stop-replying', trigger: { atMs: 0 } }], targets);
    scheduler.start();
    await until(() => scheduler.errors.length > 0);
    await scheduler.stop();
    expect(scheduler.errors).toEqual([
      'servers consume and ack requests but never reply until the run ends: ' +
        'this run has no servers the harness can tell to stop replying',
    ]);
  });

  it('is checked for shape in a scenario file like every fault kind', () => {
    expect(faultShapeProblems({ kind: 'servers-stop-replying', trigger: { atMs: 1 }, durationMS: 5 }, 0)).toEqual([
      'faults[0].durationMS: not a field of a servers-stop-replying fault (did you mean "durationMs"?); ' +
        'its fields: kind, trigger, durationMs',
    ]);
    expect(faultShapeProblems({ kind: 'servers-stop-replyin', trigger: { atMs: 1 } }, 2)[0]).toMatch(
      /^faults\[2\]\.kind: "servers-stop-replyin" is not a fault kind \(did you mean "servers-stop-replying"\?\)/,
    );
    expect(faultShapeProblems({ kind: 'servers-stop-replying', durationMs: 5 }, 0)).toEqual([
      'faults[0].trigger: must be { atMs: <ms after the load started> } or { afterCall: <calls sent> }, got nothing',
    ]);
  });

  it('is refused with an external server, which the harness cannot tell; an external client is fine', () => {
    const withServer = { ...noReply, implementations: { server: { command: 'python3 server.py' } } };
    expect(validateScenario(withServer)).toEqual([
      expect.stringMatching(/^servers-stop-replying tells the servers to withhold their replies/),
    ]);
    expect(validateScenario({ ...noReply, implementations: { client: { command: 'python3 client.py' } } })).toEqual([]);
    expect(
      validateScenario({
        ...noReply,
        faults: [{ kind: 'servers-stop-replying', trigger: { atMs: -1 }, durationMs: 0 }],
      }),
    ).toEqual([
      'fault "servers consume and ack requests but never reply for 0 ms": atMs must be >= 0',
      'fault "servers consume and ack requests but never reply for 0 ms": durationMs must be > 0',
    ]);
  });
});
