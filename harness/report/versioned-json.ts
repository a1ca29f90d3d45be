/**
 * The files the harness writes and reads back (result.json, suite.json): JSON with a
 * `schemaVersion`, validated by a zod schema on the way out and on the way in. Errors name the
 * file, the field and the problem, and tell an older or newer schema apart from a broken file:
 * the fix for those is another harness, not another file.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { makeDirectory } from '../env/output-paths.ts';
import { describeIssues, kindOf } from './zod-issues.ts';

export interface VersionedJson<T> {
  /** The file's name in its folder, e.g. `result.json`. */
  readonly fileName: string;
  readonly schema: z.ZodType<T>;
  readonly version: number;
  /** How the messages name the schema: `schema`, `suite schema`. */
  readonly schemaName: string;
  /** What writes it, for a file that is not one: `rpc-chaos`, `rpc-chaos suite`. */
  readonly writtenBy: string;
  /** The folder to give instead, e.g. `a run folder (reports/<scenario>-<time>)`. */
  readonly folder: string;
  /** What to do with a file of an older schema. */
  readonly olderAdvice: string;
  /** What to do with a file of a newer schema. */
  readonly newerAdvice: string;
  /** The harness version that wrote a file, when the file says, e.g. ` (harness 0.1.0)`. */
  readonly writerOf?: (raw: object) => string;
}

/** The file in a folder, or the path itself when given a file. */
export function versionedFileOf(dirOrFile: string, spec: Pick<VersionedJson<unknown>, 'fileName'>): string {
  return existsSync(dirOrFile) && statSync(dirOrFile).isDirectory() ? join(dirOrFile, spec.fileName) : dirOrFile;
}

/** Validates, then writes `<dir>/<fileName>`; returns the file and the parsed value (defaults filled). */
export function writeVersionedJson<T>(dir: string, value: T, spec: VersionedJson<T>): { file: string; data: T } {
  const parsed = spec.schema.safeParse(value);
  if (!parsed.success)
    throw new Error(`refusing to write an invalid ${spec.fileName}: ${describeIssues(parsed.error, value)}`);
  makeDirectory(dir);
  const file = join(dir, spec.fileName);
  writeFileSync(file, `${JSON.stringify(parsed.data, null, 2)}\n`);
  return { file, data: parsed.data };
}

export function readVersionedJson<T>(dirOrFile: string, spec: VersionedJson<T>): T {
  const file = versionedFileOf(dirOrFile, spec);
  if (!existsSync(file)) throw new Error(`${file} does not exist: give ${spec.folder} or its ${spec.fileName}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  checkSchemaVersion(file, raw, spec);
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is invalid: ${describeIssues(parsed.error, raw)}`);
  return parsed.data;
}

function checkSchemaVersion<T>(file: string, raw: unknown, spec: VersionedJson<T>): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${file} is invalid: expected a JSON object (a ${spec.fileName}), got ${kindOf(raw)}`);
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  if (version === spec.version) return;
  if (typeof version !== 'number') {
    throw new Error(
      `${file} has no numeric schemaVersion (got ${kindOf(version)}): ` +
        `it is not a ${spec.fileName} written by ${spec.writtenBy}`,
    );
  }
  throw new Error(
    `${file} was written by ${spec.schemaName} version ${version}${spec.writerOf?.(raw) ?? ''}, ` +
      `this harness reads version ${spec.version}: ${version < spec.version ? spec.olderAdvice : spec.newerAdvice}`,
  );
}
