import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResult, writeResult } from './result-io.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { makeSyntheticResult } from '../bench/synthetic-result.ts';

const result = makeSyntheticResult({}, { durationSec: 5 });
const made: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-result-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
/** Writes raw JSON as result.json of a fresh run folder, bypassing validation. */
function runDirWith(raw: unknown): string {
  const dir = freshDir();
  writeFileSync(join(dir, 'result.json'), typeof raw === 'string' ? raw : JSON.stringify(raw));
  return dir;
}
// biome-ignore lint/suspicious/noExplicitAny: the tests break the result's shape on purpose, field by field
const copy = (): Record<string, any> => JSON.parse(JSON.stringify(result));

describe('result.json', { timeout: 30_000 }, () => {
  it('round-trips through writeResult and readResult', () => {
    const dir = freshDir();
    const file = writeResult(dir, result);
    expect(file).toBe(join(dir, 'result.json'));
    expect(readResult(dir)).toEqual(JSON.parse(JSON.stringify(result)));
    expect(readResult(file).run.id).toBe(result.run.id);
  });

  it('refuses to write an invalid result, naming the field and the value', () => {
    const broken = { ...result, counters: { ...result.counters, sent: -1 } } as ScenarioResult;
    expect(() => writeResult(freshDir(), broken)).toThrow('counters.sent: must be >= 0, got -1');
  });

  it('names field, expected type and actual type of a malformed result.json', () => {
    const raw = copy();
    raw.latency.summary.p99 = 'fast';
    expect(() => readResult(runDirWith(raw))).toThrow(
      /result\.json is invalid: latency\.summary\.p99: expected number, got string/,
    );
  });

  it('lists several problems at once, a missing field as missing', () => {
    const raw = copy();
    delete raw.scenario.name;
    raw.environment.replyMode = 'carrier-pigeon';
    raw.run.startedAt = 'yesterday';
    const error = (() => {
      try {
        readResult(runDirWith(raw));
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(error).toContain('scenario.name: missing (expected string)');
    expect(error).toContain(
      'environment.replyMode: expected "callback-queue" or "direct-reply-to", got "carrier-pigeon"',
    );
    expect(error).toContain('run.startedAt: expected an ISO date-time string, got "yesterday"');
  });

  it('says which schema version wrote an older or newer result.json', () => {
    expect(() => readResult(runDirWith({ ...copy(), schemaVersion: 0 }))).toThrow(
      /written by schema version 0 \(harness 0\.1\.0\), this harness reads version 1: re-run the scenario/,
    );
    expect(() => readResult(runDirWith({ ...copy(), schemaVersion: 2 }))).toThrow(
      /written by schema version 2 .*this harness reads version 1: update this checkout/,
    );
    expect(() => readResult(runDirWith({ hello: 'world' }))).toThrow(
      /has no numeric schemaVersion \(got undefined\): it is not a result\.json written by rpc-chaos/,
    );
  });

  it('says what to give when the folder or the JSON is wrong', () => {
    expect(() => readResult('/nonexistent/run')).toThrow(/\/nonexistent\/run does not exist: give a run folder/);
    expect(() => readResult(runDirWith('{"schemaVersion": 1,'))).toThrow(/is not valid JSON/);
    expect(() => readResult(runDirWith('[1, 2]'))).toThrow(/expected a JSON object \(a result\.json\), got array/);
  });

  it('reads the result of a large run back intact', () => {
    const dir = freshDir();
    writeResult(dir, makeSyntheticResult({}, { durationSec: 120, ratePerSec: 50 }));
    expect(readFileSync(join(dir, 'result.json'), 'utf8').length).toBeGreaterThan(1000);
    expect(readResult(dir).latency.series).toHaveLength(120);
  });
});
