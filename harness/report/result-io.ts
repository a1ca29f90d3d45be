import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { makeDirectory } from '../env/output-paths.ts';
import { RESULT_SCHEMA_VERSION, ScenarioResultSchema, type ScenarioResult } from '../model/result-schema.ts';

export const RESULT_FILE = 'result.json';

/** At most this many problems are listed: the first few are enough to see what went wrong. */
const MAX_LISTED_ISSUES = 5;

/** Validates on write too: a reporter must never meet a result.json the harness could not read back. */
export function writeResult(runDir: string, result: ScenarioResult): string {
  const parsed = ScenarioResultSchema.safeParse(result);
  if (!parsed.success)
    throw new Error(`refusing to write an invalid ${RESULT_FILE}: ${describeIssues(parsed.error, result)}`);
  makeDirectory(runDir);
  const file = join(runDir, RESULT_FILE);
  writeFileSync(file, `${JSON.stringify(parsed.data, null, 2)}\n`);
  return file;
}

/** The result.json of a run folder, or the file itself when given one. */
export function resultFileOf(runDirOrFile: string): string {
  return existsSync(runDirOrFile) && statSync(runDirOrFile).isDirectory()
    ? join(runDirOrFile, RESULT_FILE)
    : runDirOrFile;
}

/** Reads a run folder's (or a file's) result.json; errors name the file, the field and the problem. */
export function readResult(runDirOrFile: string): ScenarioResult {
  const file = resultFileOf(runDirOrFile);
  if (!existsSync(file))
    throw new Error(`${file} does not exist: give a run folder (reports/<scenario>-<time>) or its ${RESULT_FILE}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  checkSchemaVersion(file, raw);
  const parsed = ScenarioResultSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is invalid: ${describeIssues(parsed.error, raw)}`);
  return parsed.data;
}

/** A version mismatch is told apart from a broken file: the fix is another harness, not another file. */
function checkSchemaVersion(file: string, raw: unknown): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${file} is invalid: expected a JSON object, got ${kindOf(raw)}`);
  const record = raw as { schemaVersion?: unknown; environment?: { harnessVersion?: unknown } };
  const version = record.schemaVersion;
  if (version === RESULT_SCHEMA_VERSION) return;
  if (typeof version !== 'number') {
    throw new Error(
      `${file} has no numeric schemaVersion (got ${kindOf(version)}): it is not a result.json written by rpc-chaos`,
    );
  }
  const writer =
    typeof record.environment?.harnessVersion === 'string' ? ` (harness ${record.environment.harnessVersion})` : '';
  const advice =
    version < RESULT_SCHEMA_VERSION
      ? 're-run the scenario to get a current result, or read this one with the harness version that wrote it'
      : 'update this checkout of rpc-chaos to read it';
  throw new Error(
    `${file} was written by schema version ${version}${writer}, ` +
      `this harness reads version ${RESULT_SCHEMA_VERSION}: ${advice}`,
  );
}

/** `latency.summary.p99: expected number, got string; ...` */
export function describeIssues(error: z.ZodError, input: unknown): string {
  const listed = error.issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${problem(issue, valueAt(input, issue.path))}`);
  const more = error.issues.length > MAX_LISTED_ISSUES ? ` (and ${error.issues.length - MAX_LISTED_ISSUES} more)` : '';
  return listed.join('; ') + more;
}

function problem(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined
        ? `missing (expected ${issue.expected})`
        : `expected ${issue.expected}, got ${kindOf(value)}`;
    case 'too_small':
      return `must be ${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}, got ${shown(value)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}, got ${shown(value)}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${shown(value)}`;
    case 'invalid_format':
      return (
        `expected ${issue.format === 'datetime' ? 'an ISO date-time' : `a ${issue.format}`} string, ` +
        `got ${shown(value)}`
      );
    case 'invalid_union':
      return `${issue.message}, got ${shown(value)}`;
    default:
      return issue.message;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
