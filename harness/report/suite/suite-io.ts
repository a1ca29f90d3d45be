/** suite.json, written validated and read back as result.json is (versioned-json.ts). */
import { SUITE_FILE, SUITE_SCHEMA_VERSION, SuiteResultSchema, type SuiteResult } from '../../model/suite-schema.ts';
import { readVersionedJson, writeVersionedJson, type VersionedJson } from '../versioned-json.ts';

const SUITE_JSON: VersionedJson<SuiteResult> = {
  fileName: SUITE_FILE,
  schema: SuiteResultSchema,
  version: SUITE_SCHEMA_VERSION,
  schemaName: 'suite schema',
  writtenBy: 'rpc-chaos suite',
  folder: 'a suite folder (the --out of rpc-chaos suite)',
  olderAdvice: 're-run the suite, or read this file with the harness version that wrote it',
  newerAdvice: 'update this rpc-chaos to read it',
};

/**
 * Writes suite.json after validating it: a renderer, or a reader later, must never meet a
 * suite.json the harness could not read back. Returns the file and the parsed result (defaults filled).
 */
export function writeSuite(suiteDir: string, suite: SuiteResult): { file: string; suite: SuiteResult } {
  const { file, data } = writeVersionedJson(suiteDir, suite, SUITE_JSON);
  return { file, suite: data };
}

/** Reads a suite folder's (or a file's) suite.json; errors name the file, the field and the problem. */
export function readSuite(suiteDirOrFile: string): SuiteResult {
  return readVersionedJson(suiteDirOrFile, SUITE_JSON);
}
