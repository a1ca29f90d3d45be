import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { RESULT_SCHEMA_VERSION, ScenarioResultSchema, type ScenarioResult } from './result-schema.ts';

export const RESULT_FILE = 'result.json';

/** Validates on write too: a reporter must never meet a result.json the harness could not read back. */
export function writeResult(runDir: string, result: ScenarioResult): string {
  const parsed = ScenarioResultSchema.safeParse(result);
  if (!parsed.success) throw new Error(`refusing to write an invalid result: ${describeIssues(parsed.error)}`);
  mkdirSync(runDir, { recursive: true });
  const file = join(runDir, RESULT_FILE);
  writeFileSync(file, `${JSON.stringify(parsed.data, null, 2)}\n`);
  return file;
}

/** Reads a run folder's (or a file's) result.json; errors name the file, the field and the problem. */
export function readResult(runDirOrFile: string): ScenarioResult {
  const file = existsSync(runDirOrFile) && statSync(runDirOrFile).isDirectory() ? join(runDirOrFile, RESULT_FILE) : runDirOrFile;
  if (!existsSync(file)) throw new Error(`${file} does not exist: give a run folder (reports/<scenario>-<time>) or its result.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== RESULT_SCHEMA_VERSION) {
    throw new Error(`${file} was written by result schema version ${JSON.stringify(version ?? 'none')}; this harness reads version ${RESULT_SCHEMA_VERSION}`);
  }
  const parsed = ScenarioResultSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is invalid: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

function describeIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : '';
  return issues.join('; ') + more;
}
