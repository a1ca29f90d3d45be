/**
 * result.json, the single source of truth of a run: written validated, read back with errors
 * that name the file, the field and the problem (versioned-json.ts).
 */
import { RESULT_SCHEMA_VERSION, ScenarioResultSchema, type ScenarioResult } from '../model/result-schema.ts';
import { readVersionedJson, versionedFileOf, writeVersionedJson, type VersionedJson } from './versioned-json.ts';

export { describeIssues } from './zod-issues.ts';

export const RESULT_FILE = 'result.json';

const RESULT_JSON: VersionedJson<ScenarioResult> = {
  fileName: RESULT_FILE,
  schema: ScenarioResultSchema,
  version: RESULT_SCHEMA_VERSION,
  schemaName: 'schema',
  writtenBy: 'rpc-chaos',
  folder: 'a run folder (reports/<scenario>-<time>)',
  olderAdvice: 're-run the scenario to get a current result, or read this one with the harness version that wrote it',
  newerAdvice: 'update this checkout of rpc-chaos to read it',
  writerOf: (raw) => {
    const version = (raw as { environment?: { harnessVersion?: unknown } }).environment?.harnessVersion;
    return typeof version === 'string' ? ` (harness ${version})` : '';
  },
};

/** Validates on write too: a reporter must never meet a result.json the harness could not read back. */
export function writeResult(runDir: string, result: ScenarioResult): string {
  return writeVersionedJson(runDir, result, RESULT_JSON).file;
}

/** The result.json of a run folder, or the file itself when given one. */
export function resultFileOf(runDirOrFile: string): string {
  return versionedFileOf(runDirOrFile, RESULT_JSON);
}

/** Reads a run folder's (or a file's) result.json; errors name the file, the field and the problem. */
export function readResult(runDirOrFile: string): ScenarioResult {
  return readVersionedJson(runDirOrFile, RESULT_JSON);
}
