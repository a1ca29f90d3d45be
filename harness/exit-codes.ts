/** Process exit codes, as DESIGN.md defines them. */
export const EXIT_PASS = 0;
/** A check or gate failed. */
export const EXIT_FAILED = 1;
/** The harness could not run: bad options, no broker, a worker that could not start. */
export const EXIT_HARNESS_ERROR = 2;
/** Interrupted by Ctrl-C, after writing what was measured and tearing everything down. */
export const EXIT_INTERRUPTED = 130;
