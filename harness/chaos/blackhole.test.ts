import type { Proxy as ToxiproxyProxy } from 'toxiproxy-node-client';
import { describe, expect, it } from 'vitest';
import { FaultScheduler, type FaultTargets } from './fault-scheduler.ts';
import { faultShapeProblems } from './fault-schema.ts';
import { describeFault, validateFault } from './fault-spec.ts';
import type { FaultSpec } from './fault-spec.ts';
import { isNetworkFault } from './network-faults.ts';
import { connectionCutEndMs } from '../scenario/recovery-tail.ts';

const blackhole = { kind: 'blackhole', proxy: 'clients', trigger: { atMs: 2_000 }, durationMs: 8_000 } as const;

describe('the blackhole fault kind in a scenario', () => {
  it('is a valid fault, a network fault, and cuts connections until it ends', () => {
    expect(faultShapeProblems(blackhole, 0)).toEqual([]);
    expect(validateFault(blackhole, 1)).toEqual([]);
    expect(isNetworkFault(blackhole)).toBe(true);
    // Removing the toxics closes the connections they held: recovery counts from the end.
    expect(connectionCutEndMs(blackhole)).toBe(10_000);
    expect(describeFault(blackhole).description).toBe(
      'blackhole the clients proxy (data dropped both ways, connections held open) for 8000 ms',
    );
  });

  it('names a missing duration, a misspelt field and an unknown proxy, as for the other kinds', () => {
    const { durationMs: _, ...withoutDuration } = blackhole;
    expect(faultShapeProblems(withoutDuration, 0)).toEqual(['faults[0].durationMs: missing (expected a number)']);
    expect(faultShapeProblems({ ...blackhole, durationMS: 1 }, 1)).toEqual([
      'faults[1].durationMS: not a field of a blackhole fault (did you mean "durationMs"?); ' +
        'its fields: kind, proxy, trigger, durationMs',
    ]);
    expect(faultShapeProblems({ ...blackhole, proxy: 'client' }, 0)).toEqual([
      'faults[0].proxy: "client" is not valid (did you mean "clients"?); one of "servers", "clients"',
    ]);
    expect(faultShapeProblems({ ...blackhole, kind: 'blackhol' }, 0)[0]).toMatch(
      /^faults\[0\]\.kind: "blackhol" is not a fault kind \(did you mean "blackhole"\?\)/,
    );
  });

  it('refuses a duration that is not positive', () => {
    const zero: FaultSpec = { ...blackhole, durationMs: 0 };
    expect(validateFault(zero, 1)).toEqual([
      'fault "blackhole the clients proxy (data dropped both ways, connections held open) for 0 ms": ' +
        'durationMs must be > 0',
    ]);
  });
});

describe('the end of a blackhole on the timeline', () => {
  it('is when lifting it began, not when the proxy answered: processes see the close before that', async () => {
    const start = performance.now();
    const elapsedMs = () => Math.round(performance.now() - start);
    // Removing a toxic takes 300 ms here; the connections it held close at the start of that.
    const toxic = { remove: () => new Promise<void>((resolve) => setTimeout(resolve, 300)) };
    const proxy = { addToxic: async () => toxic } as unknown as ToxiproxyProxy;
    const targets: FaultTargets = {
      proxies: { servers: proxy, clients: proxy },
      restartBroker: async () => undefined,
      killServer: async () => undefined,
      startServer: async () => undefined,
      elapsedMs,
      record: () => undefined,
    };
    const scheduler = new FaultScheduler([{ ...blackhole, trigger: { atMs: 10 }, durationMs: 100 }], targets);
    scheduler.start();
    for (let i = 0; i < 100 && scheduler.records()[0]?.endMs === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await scheduler.stop();
    const [record] = scheduler.records();
    expect(record?.endMs).toBeDefined();
    expect(record!.endMs! - record!.startMs!).toBeLessThan(250);
    expect(record!.endMs! - record!.startMs!).toBeGreaterThanOrEqual(95);
  });
});
