import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirectory } from '../../env/output-paths.ts';
import { SUITE_FILE, SUITE_SCHEMA_VERSION, SuiteResultSchema, type SuiteResult } from '../../model/suite-schema.ts';
import { describeIssues } from '../result-io.ts';

/**
 * Writes suite.json after validating it: a renderer, or a reader later, must never meet a
 * suite.json the harness could not read back. Returns the file and the parsed result (defaults filled).
 */
export function writeSuite(suiteDir: string, suite: SuiteResult): { file: string; suite: SuiteResult } {
  const parsed = SuiteResultSchema.safeParse(suite);
  if (!parsed.success)
    throw new Error(`refusing to write an invalid ${SUITE_FILE}: ${describeIssues(parsed.error, suite)}`);
  makeDirectory(suiteDir);
  const file = join(suiteDir, SUITE_FILE);
  writeFileSync(file, `${JSON.stringify(parsed.data, null, 2)}\n`);
  return { file, suite: parsed.data };
}

/** Reads a suite folder's (or a file's) suite.json; errors name the file, the field and the problem. */
export function readSuite(suiteDirOrFile: string): SuiteResult {
  const file =
    existsSync(suiteDirOrFile) && statSync(suiteDirOrFile).isDirectory()
      ? join(suiteDirOrFile, SUITE_FILE)
      : suiteDirOrFile;
  if (!existsSync(file))
    throw new Error(`${file} does not exist: give a suite folder (the --out of rpc-chaos suite) or its ${SUITE_FILE}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  checkSchemaVersion(file, raw);
  const parsed = SuiteResultSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is invalid: ${describeIssues(parsed.error, raw)}`);
  return parsed.data;
}

/** Another schema version is told apart from a broken file: the fix is another harness, not another file. */
function checkSchemaVersion(file: string, raw: unknown): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${file} is invalid: expected a JSON object (a ${SUITE_FILE}), got ${JSON.stringify(raw)}`);
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  if (version === SUITE_SCHEMA_VERSION) return;
  if (typeof version !== 'number')
    throw new Error(`${file} has no numeric schemaVersion: it is not a ${SUITE_FILE} written by rpc-chaos suite`);
  const advice =
    version < SUITE_SCHEMA_VERSION
      ? 're-run the suite, or read this file with the harness version that wrote it'
      : 'update this rpc-chaos to read it';
  throw new Error(
    `${file} was written by suite schema version ${version}, this harness reads version ${SUITE_SCHEMA_VERSION}: ` +
      advice,
  );
}
