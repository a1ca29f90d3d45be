/** Process exit codes, as DESIGN.md defines them. */
export const EXIT_PASS = 0;
/** A check or gate failed. */
export const EXIT_FAILED = 1;
/** The harness could not run: bad options, no broker, a worker that could not start. */
export const EXIT_HARNESS_ERROR = 2;
/** Interrupted by Ctrl-C, after writing what was measured and tearing everything down. */
export const EXIT_INTERRUPTED = 130;

/** The exit code a run's verdict stands for (an interrupted run keeps 130, whatever its checks say). */
export function exitCodeOf(verdict: 'pass' | 'fail' | 'error' | 'interrupted'): number {
  switch (verdict) {
    case 'pass':
      return EXIT_PASS;
    case 'fail':
      return EXIT_FAILED;
    case 'interrupted':
      return EXIT_INTERRUPTED;
    case 'error':
      return EXIT_HARNESS_ERROR;
  }
}
