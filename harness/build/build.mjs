// @ts-check
/**
 * Compiles the harness's programs (the runner, the worker, the command-line tools) to plain
 * JavaScript in dist/, one esbuild bundle per program, so a process starts in a few hundred
 * milliseconds instead of the seconds tsx spends compiling TypeScript on every start.
 * npm packages stay in node_modules, except in the worker's bundle (SELF_CONTAINED).
 *
 * dist/build-info.json records the modification time of every source a bundle was made
 * from; the build is stale as soon as one of them changed, and stale bundles are never run:
 * launch.mjs rebuilds first (about a second), code running from source rebuilds before it
 * starts a compiled worker.
 *
 * Plain JavaScript on purpose: it must run before anything is compiled.
 *   node harness/build/build.mjs          (npm run build)
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST_DIR = join(REPO_ROOT, 'dist');
const BUILD_INFO = join(DIST_DIR, 'build-info.json');
/** Bumped when the layout of dist/ or of build-info.json changes: older builds count as stale. */
const BUILD_FORMAT = 1;
const FRESHNESS_CHECKED = Symbol.for('rpc-chaos.build-checked');
/** Set by a process for the compiled programs it starts once it made sure they are fresh. */
export const BUILD_CHECKED_VARIABLE = 'RPC_CHAOS_BUILD_CHECKED';
/**
 * Programs whose npm packages are bundled in too: the worker, started for every server and
 * client and every restart, where start-up time is the point (~60-100 ms of CPU less), and
 * the scenario runner, whose start comes before the broker's boot in every run (resolving and
 * loading zod's, amqplib's and OpenTelemetry's hundreds of files cost it ~0.2 s of CPU).
 */
const SELF_CONTAINED = new Set(['worker', 'cli', 'suite']);
/**
 * Packages self-contained programs import only when needed (an OTLP endpoint, the Docker
 * path, a scenario file in TypeScript): they stay in node_modules, not parsed at every start.
 */
const LOADED_ON_DEMAND = [
  '@opentelemetry/exporter-trace-otlp-http',
  'testcontainers',
  'testcontainers/*',
  'tsx',
  'tsx/*',
];
/** Source folders whose files can be inputs of a bundle. */
const SOURCE_DIRS = ['harness', 'scenarios'];
const SOURCE_FILE = /\.(ts|mts|mjs|js|json)$/;

/** Program name -> its TypeScript entry point, relative to the repository root (programs.ts reads it too). */
export const PROGRAMS = Object.freeze(
  /** @type {Record<string, string>} */ (JSON.parse(readFileSync(new URL('./programs.json', import.meta.url), 'utf8'))),
);

/**
 * @typedef {{ format: number, programs: Record<string, string>, inputs: Record<string, number> }} BuildInfo
 */

/**
 * True in an installed package (npm install rpc-chaos-<version>.tgz): it ships the bundles and
 * none of the TypeScript sources they were built from, so they are run as shipped, with nothing
 * to check them against and nothing to rebuild them with. Told by the sources' absence, not by
 * a variable, so that a repository checkout never skips its freshness check.
 */
export const INSTALLED_WITHOUT_SOURCES = Object.values(PROGRAMS).every((entry) => !existsSync(join(REPO_ROOT, entry)));

/** @param {string} program @returns {string} the compiled program's file */
export function compiledProgram(program) {
  return join(DIST_DIR, `${program}.js`);
}

/**
 * Why the bundles in dist/ cannot be run as they are, or undefined when they are fresh (and
 * always in an installed package, whose bundles are all there is).
 * @returns {string | undefined}
 */
export function staleReason() {
  if (INSTALLED_WITHOUT_SOURCES) return undefined;
  /** @type {BuildInfo} */
  let info;
  try {
    info = JSON.parse(readFileSync(BUILD_INFO, 'utf8'));
  } catch {
    return 'dist/ holds no build';
  }
  if (info.format !== BUILD_FORMAT || JSON.stringify(info.programs) !== JSON.stringify(PROGRAMS))
    return 'dist/ was built by another version of the build';
  for (const program of Object.keys(PROGRAMS)) {
    if (modifiedAt(compiledProgram(program)) === undefined)
      return `${relative(REPO_ROOT, compiledProgram(program))} is missing`;
  }
  for (const [input, builtFrom] of Object.entries(info.inputs)) {
    if (modifiedAt(join(REPO_ROOT, input)) !== builtFrom) return `${input} changed since the last build`;
  }
  return undefined;
}

/**
 * Builds every program into dist/. Each file is written under a temporary name and renamed,
 * so a process starting a program meanwhile (or a second build running at the same time)
 * reads either the old or the new bundle, never half of one.
 * @returns {{ programs: number, inputs: number, ms: number }}
 */
export function buildSync() {
  const started = performance.now();
  // Times are taken before reading: a source edited during the build makes the build stale.
  const before = sourceTimes();
  const esbuild = loadEsbuild();
  /** @type {Set<string>} */
  const inputs = new Set([
    relative(REPO_ROOT, fileURLToPath(import.meta.url)),
    relative(REPO_ROOT, fileURLToPath(new URL('./programs.json', import.meta.url))),
  ]);
  const freshnessBanner =
    "import { assertFreshBuild as __rpcChaosAssertFreshBuild } from '../harness/build/build.mjs';\n" +
    '__rpcChaosAssertFreshBuild();';
  /** @type {import('esbuild').BuildOptions} */
  const common = {
    absWorkingDir: REPO_ROOT,
    outdir: DIST_DIR,
    entryNames: '[name]',
    // No code splitting: each program is one file.
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Class and function names stay as written (error messages, constructor.name).
    keepNames: true,
    // A node_modules that is a link (a worktree, a packed copy) stays named by where it is linked:
    // a bundle's path comments then never name the folder it points to.
    preserveSymlinks: true,
    sourcemap: 'linked',
    write: false,
    metafile: true,
    logLevel: 'silent',
  };
  const [selfContained, withPackages] = partition(Object.entries(PROGRAMS), ([program]) => SELF_CONTAINED.has(program));
  const results = [
    // npm packages stay in node_modules, loaded as usual.
    esbuild.buildSync({
      ...common,
      entryPoints: Object.fromEntries(withPackages),
      packages: 'external',
      // Not bundled: a relative import from dist/ back to this file, evaluated before the program.
      banner: { js: freshnessBanner },
    }),
    // npm packages bundled in: one file to read and compile instead of hundreds. CommonJS
    // packages inside an ES module need a `require`.
    esbuild.buildSync({
      ...common,
      entryPoints: Object.fromEntries(selfContained),
      // ES module builds where packages have them (OpenTelemetry): unused exports are left
      // out, e.g. most of semantic-conventions' thousands of constants.
      mainFields: ['module', 'main'],
      // Loaded on demand only (an OTLP endpoint is configured): not parsed at every start.
      external: [...LOADED_ON_DEMAND],
      banner: {
        js:
          `${freshnessBanner}\nimport { createRequire as __rpcChaosCreateRequire } from 'node:module';\n` +
          `const require = __rpcChaosCreateRequire(import.meta.url);`,
      },
    }),
  ];
  for (const result of results) {
    for (const input of Object.keys(result.metafile?.inputs ?? {})) inputs.add(input);
  }
  const outputFiles = results.flatMap((result) => result.outputFiles ?? []);
  mkdirSync(DIST_DIR, { recursive: true });
  for (const file of outputFiles) writeAtomically(file.path, file.contents);
  /** @type {BuildInfo} */
  const info = {
    format: BUILD_FORMAT,
    programs: { ...PROGRAMS },
    inputs: Object.fromEntries(
      [...inputs].sort().map((input) => [input, before.get(input) ?? modifiedAt(join(REPO_ROOT, input)) ?? -1]),
    ),
  };
  // Written last: a build that broke off halfway leaves the previous info, which no longer matches.
  writeAtomically(BUILD_INFO, `${JSON.stringify(info, null, 2)}\n`);
  return { programs: Object.keys(PROGRAMS).length, inputs: inputs.size, ms: performance.now() - started };
}

/**
 * Rebuilds when stale; returns why it rebuilt, or undefined when the build was fresh.
 * @returns {string | undefined}
 */
export function ensureFreshBuild() {
  const reason = staleReason();
  if (reason === undefined) return undefined;
  try {
    buildSync();
  } catch (error) {
    throw new Error(
      `the harness could not be compiled (${reason}): ${describeBuildError(error)}\n` +
        `Fix the error, or run "npm run build" to see it alone.`,
    );
  }
  return reason;
}

/**
 * Called first thing by every compiled program (the bundles' banner): refuses to run a
 * bundle older than its sources. Skipped where the check was just made: by launch.mjs in
 * this process, or by the runner that started this process (RPC_CHAOS_BUILD_CHECKED).
 */
export function assertFreshBuild() {
  if (
    /** @type {Record<symbol, unknown>} */ (globalThis)[FRESHNESS_CHECKED] === true ||
    process.env[BUILD_CHECKED_VARIABLE] === '1'
  )
    return;
  const reason = staleReason();
  if (reason === undefined) return;
  console.error(
    `${relative(process.cwd(), process.argv[1] ?? 'dist/') || 'this program'} is out of date ` +
      `(${reason}): run "npm run build", or start it through its npm script, which rebuilds`,
  );
  process.exit(2);
}

/** launch.mjs has just made sure the build is fresh, for assertFreshBuild in the program it runs. */
export function markBuildChecked() {
  /** @type {Record<symbol, unknown>} */ (globalThis)[FRESHNESS_CHECKED] = true;
}

/** esbuild is loaded only when a build is needed, and synchronously: callers may not be async. */
function loadEsbuild() {
  try {
    return /** @type {typeof import('esbuild')} */ (createRequire(import.meta.url)('esbuild'));
  } catch (error) {
    throw new Error(
      `esbuild is not installed (${/** @type {Error} */ (error).message}); run "npm ci" (or "npm run setup")`,
    );
  }
}

/**
 * @template T
 * @param {T[]} items @param {(item: T) => boolean} test
 * @returns {[T[], T[]]} the items that pass, then those that do not
 */
function partition(items, test) {
  return [items.filter(test), items.filter((item) => !test(item))];
}

/** @typedef {{ text: string, location?: { file: string, line: number, column: number } | null }} BuildMessage */

/** @param {unknown} error */
function describeBuildError(error) {
  const errors = /** @type {{ errors?: Array<BuildMessage> }} */ (error).errors;
  if (!errors || errors.length === 0) return /** @type {Error} */ (error).message;
  return errors
    .map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text))
    .join('\n');
}

/** Modification times of every file that can be an input, by path relative to the repository. */
function sourceTimes() {
  /** @type {Map<string, number>} */
  const times = new Map();
  const walk = (/** @type {string} */ dir) => {
    for (const entry of readdirSync(join(REPO_ROOT, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(path);
      } else if (SOURCE_FILE.test(entry.name)) {
        const time = modifiedAt(join(REPO_ROOT, path));
        if (time !== undefined) times.set(path, time);
      }
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  return times;
}

/** @param {string} file @returns {number | undefined} */
function modifiedAt(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** @param {string} file @param {string | Uint8Array} contents */
function writeAtomically(file, contents) {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const onlyIfStale = process.argv.includes('--if-stale');
  if (onlyIfStale && staleReason() === undefined) process.exit(0);
  try {
    const { programs, inputs, ms } = buildSync();
    console.log(
      `build: ${programs} programs from ${inputs} sources into ` +
        `${relative(process.cwd(), DIST_DIR) || '.'}/ in ${Math.round(ms)} ms`,
    );
  } catch (error) {
    console.error(`build failed:\n${describeBuildError(error)}`);
    process.exit(1);
  }
}
