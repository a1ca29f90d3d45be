import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { rssSlope, workerRss, type RssSample } from './rss-slope.ts';

const minutes = (count: number, rssAt: (tMs: number) => number): RssSample[] =>
  Array.from({ length: (count * 60) / 2 + 1 }, (_, i) => ({ tMs: i * 2_000, rssMb: rssAt(i * 2_000) }));

const options = { warmUpMs: 60_000, windowMs: 30_000 };

describe('RSS slope of a bench run', () => {
  it('calls memory flat when it only climbs during warm-up and then wobbles with garbage collection', () => {
    const samples = minutes(5, (t) => (t < 40_000 ? 100 + t / 1_000 : 140 + (Math.floor(t / 2_000) % 3) * 4));
    const slope = rssSlope('client-1', samples, options)!;
    expect(Math.abs(slope.growth)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(slope.slopeMbPerMin)).toBeLessThan(1);
    expect(slope.pass).toBe(true);
  });

  it('shows a per-call structure that is never pruned as growth above 10 % and a positive slope', () => {
    // 164 MB growing to about 480 MB over 3 minutes: the leak the bench exists to catch.
    const samples = minutes(3, (t) => 164 + (t / 1_000) * 1.75);
    const slope = rssSlope('client-1', samples, options)!;
    expect(slope.growth).toBeGreaterThan(0.1);
    expect(slope.slopeMbPerMin).toBeGreaterThan(100);
    expect(slope.pass).toBe(false);
  });

  it('fails a process whose old space fills with garbage between rare major collections: +12 % after warm-up', () => {
    // The measured shape before pretenuring was turned off in workers: a slow climb, no leak, still not flat.
    const samples = minutes(5, (t) => (t < 60_000 ? 150 + t / 4_000 : 165 + ((t - 60_000) / 240_000) * 20));
    const slope = rssSlope('client-1', samples, options)!;
    expect(slope.growth).toBeGreaterThan(0.1);
    expect(slope.pass).toBe(false);
  });

  it('fails memory that falls by more than 10 % too: it is not steady either', () => {
    const slope = rssSlope(
      'server-1',
      minutes(5, (t) => (t < 60_000 ? 200 : 200 - ((t - 60_000) / 240_000) * 40)),
      options,
    )!;
    expect(slope.growth).toBeLessThan(-0.1);
    expect(slope.pass).toBe(false);
  });

  it('gives no figure when too few samples follow the warm-up', () => {
    expect(
      rssSlope(
        'client-1',
        minutes(1, () => 100),
        { warmUpMs: 58_000, windowMs: 30_000 },
      ),
    ).toBeUndefined();
  });

  it("reads the RSS of this process's workers from /proc, by worker name", async () => {
    const worker = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], {
      env: { ...process.env, RPC_CHAOS_WORKER: 'probe-worker' },
      stdio: 'ignore',
    });
    try {
      await new Promise((resolve) => worker.once('spawn', resolve));
      let rss: number | undefined;
      for (let attempt = 0; attempt < 50 && !(rss! > 5); attempt++) {
        rss = workerRss().get('probe-worker');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(rss).toBeGreaterThan(5);
      expect(workerRss(worker.pid!).size).toBe(0);
    } finally {
      worker.kill();
    }
  });
});
