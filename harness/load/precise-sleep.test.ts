import { afterEach, describe, expect, it } from 'vitest';
import { PreciseSleeper } from './precise-sleep.ts';

describe('PreciseSleeper', () => {
  const sleepers: PreciseSleeper[] = [];
  const sleeper = async () => {
    const created = await PreciseSleeper.start();
    sleepers.push(created);
    return created;
  };
  afterEach(async () => {
    await Promise.all(sleepers.splice(0).map((s) => s.close()));
  });

  it('never wakes before the time asked for, fractions of a millisecond included', async () => {
    const s = await sleeper();
    for (const ms of [0.3, 0.7, 1.5, 5]) {
      const started = performance.now();
      await s.sleep(ms);
      expect(performance.now() - started).toBeGreaterThanOrEqual(ms);
    }
  });

  it(
    'ends a sleep at once when cancelled, ' + "and the cancelled sleep's late answer does not end the next one",
    async () => {
      const s = await sleeper();
      const started = performance.now();
      const long = s.sleep(10_000);
      setTimeout(() => s.cancel(), 20);
      await long;
      expect(performance.now() - started).toBeLessThan(5_000);
      // The thread may still answer the cancelled sleep; that answer must not cut this one short.
      const next = performance.now();
      await s.sleep(30);
      expect(performance.now() - next).toBeGreaterThanOrEqual(30);
    },
  );

  it(
    'refuses a second sleep while one is in progress, ' + 'and returns at once for zero, negative and after close',
    async () => {
      const s = await sleeper();
      const first = s.sleep(20);
      expect(() => s.sleep(1)).toThrow(/already in progress/);
      await first;
      await s.sleep(0);
      await s.sleep(-3);
      await s.close();
      const started = performance.now();
      await s.sleep(10_000);
      expect(performance.now() - started).toBeLessThan(1_000);
    },
  );
});
