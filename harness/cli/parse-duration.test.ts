import { describe, expect, it } from 'vitest';
import { parseDuration } from './parse-duration.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5s', 1_500],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['30', '', 'abc', '10 s', '5x', '-1s'])('refuses %j with a message showing valid forms', (text) => {
    expect(() => parseDuration(text)).toThrow(/use a number with a unit, e\.g\. 500ms, 30s/);
  });
});
