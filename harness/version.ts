import { readFileSync } from 'node:fs';
import { repoPath } from './build/programs.ts';

/** The harness version from package.json, recorded in every result. */
export const HARNESS_VERSION: string = (
  JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version: string }
).version;
