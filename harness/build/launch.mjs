// @ts-check
/**
 * Runs one of the harness's compiled programs in this very process, after making sure its
 * bundle is built from the current sources (rebuilding first when it is not):
 *
 *   node harness/build/launch.mjs <program> [arguments...]     e.g. `cli duplicate-reply`
 *
 * The npm scripts use it as `exec node harness/build/launch.mjs ...`: the shell is replaced
 * by this node process and the program runs inside it, so there is no parent process that
 * would relay (or turn into SIGKILL) the signals a user sends.
 */
import { pathToFileURL } from 'node:url';
import { compiledProgram, ensureFreshBuild, markBuildChecked, PROGRAMS } from './build.mjs';

const [program] = process.argv.splice(2, 1);
if (program === undefined || !Object.hasOwn(PROGRAMS, program)) {
  console.error(
    `usage: node harness/build/launch.mjs <program> [arguments...]; programs: ` +
      `${Object.keys(PROGRAMS).join(', ')}${program === undefined ? '' : ` (got "${program}")`}`,
  );
  process.exit(2);
}
try {
  const rebuiltBecause = ensureFreshBuild();
  if (rebuiltBecause !== undefined) console.error(`(rebuilt dist/: ${rebuiltBecause})`);
  markBuildChecked();
} catch (error) {
  console.error(/** @type {Error} */ (error).message);
  process.exit(2);
}
// The program sees itself as the main script, as if started with `node dist/<program>.js`.
process.argv[1] = compiledProgram(program);
await import(pathToFileURL(compiledProgram(program)).href);
