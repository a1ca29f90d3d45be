/**
 * How this process starts the harness's own programs (workers, bench helpers) as child
 * processes: the compiled bundle in dist/, which starts in a fraction of the time tsx needs.
 * Code running from its TypeScript sources (tests, `node --import tsx`) first makes sure the
 * bundles match the sources, rebuilding them if not; a compiled process was checked when it
 * started (by launch.mjs, or by the banner of its bundle).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import PROGRAMS from './programs.json' with { type: 'json' };

export type ProgramName = keyof typeof PROGRAMS;

export interface ProgramCommand {
  /** The script to run with `node` (or `fork`). */
  readonly file: string;
  /** Node options to start it with; pass them explicitly, so the parent's own are not inherited. */
  readonly execArgv: readonly string[];
  /** Environment entries the child needs on top of the caller's. */
  readonly env: Readonly<Record<string, string>>;
}

/** Whether this build has a program of that name (a command may name one a later version adds). */
export function isProgramName(name: string): name is ProgramName {
  return Object.hasOwn(PROGRAMS, name);
}

/** True in a bundle from dist/, false when this module runs from its TypeScript source. */
const RUNNING_COMPILED = import.meta.url.endsWith('.js');

/** The repository's root folder, whether this code runs compiled (dist/<program>.js) or from source. */
export const REPO_ROOT = fileURLToPath(new URL(RUNNING_COMPILED ? '../' : '../../', import.meta.url));

/** A path inside the repository, e.g. repoPath('harness/env/guard/owner-guard.mjs'). */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(relative, new URL(RUNNING_COMPILED ? '../' : '../../', import.meta.url)));
}

/** Tells the compiled programs this process starts that their build was checked (see build.mjs). */
export const BUILD_CHECKED_ENV = { RPC_CHAOS_BUILD_CHECKED: '1' } as const;

let buildChecked = RUNNING_COMPILED;

/**
 * The command that starts `program`. `fromSource` runs its TypeScript entry point through
 * tsx instead: seconds slower to start, but it shares module instances with other
 * TypeScript the program loads (a client module given as a .ts file, whose errors the
 * worker tells apart with instanceof).
 */
export function programCommand(program: ProgramName, options: { fromSource?: boolean } = {}): ProgramCommand {
  if (options.fromSource) return { file: repoPath(PROGRAMS[program]), execArgv: ['--import', 'tsx'], env: {} };
  if (!buildChecked) {
    rebuildIfStale();
    buildChecked = true;
  }
  return { file: repoPath(`dist/${program}.js`), execArgv: [], env: BUILD_CHECKED_ENV };
}

/** Once per process that runs from source; the build runs in its own process, as `npm run build` does. */
function rebuildIfStale(): void {
  try {
    execFileSync(process.execPath, [repoPath('harness/build/build.mjs'), '--if-stale'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120_000,
    });
  } catch (error) {
    const output = (error as { stderr?: Buffer }).stderr?.toString('utf8').trim();
    throw new Error(
      `the compiled harness in dist/ is out of date and could not be rebuilt: ${output || (error as Error).message}`,
    );
  }
}
