// @ts-check
/**
 * Runs one of the compiled programs in this very process, as if started with
 * `node dist/<program>.js [arguments...]`: in this repository after making sure its bundle is
 * built from the current sources (rebuilding first when it is not), in an installed package as
 * shipped. launch.mjs (the npm scripts) and rpc-chaos.mjs (the package's command) start here.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledProgram, ensureFreshBuild, INSTALLED_WITHOUT_SOURCES, markBuildChecked, REPO_ROOT } from './build.mjs';

/**
 * Exits 2, after saying why, when the program cannot be run.
 * @param {string} program a name from programs.json
 * @param {string[]} args its arguments
 */
export async function runProgram(program, args) {
  try {
    const rebuiltBecause = ensureFreshBuild();
    if (rebuiltBecause !== undefined) console.error(`(rebuilt dist/: ${rebuiltBecause})`);
    markBuildChecked();
  } catch (error) {
    console.error(/** @type {Error} */ (error).message);
    process.exit(2);
  }
  const file = compiledProgram(program);
  if (!existsSync(file)) {
    console.error(
      INSTALLED_WITHOUT_SOURCES
        ? `${file} is missing: this installed rpc-chaos was packed without it; pack and install it again`
        : `${relative(REPO_ROOT, file)} is missing; run "npm run build"`,
    );
    process.exit(2);
  }
  // The program sees itself as the main script and reads its arguments from process.argv.
  process.argv = [process.argv[0] ?? process.execPath, file, ...args];
  await import(pathToFileURL(file).href);
}
