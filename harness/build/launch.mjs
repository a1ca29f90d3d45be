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
import { PROGRAMS } from './build.mjs';
import { runProgram } from './run-program.mjs';

const [program, ...args] = process.argv.slice(2);
if (program === undefined || !Object.hasOwn(PROGRAMS, program)) {
  console.error(
    `usage: node harness/build/launch.mjs <program> [arguments...]; programs: ` +
      `${Object.keys(PROGRAMS).join(', ')}${program === undefined ? '' : ` (got "${program}")`}`,
  );
  process.exit(2);
}
await runProgram(program, args);
