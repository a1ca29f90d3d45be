import type { Command } from 'commander';
import { EXIT_HARNESS_ERROR, EXIT_PASS } from '../../exit-codes.ts';

/** Parses the command line; bad arguments exit 2, as the scenario CLI does; --help and --version exit 0. */
export function parseOrExit(program: Command): void {
  try {
    program.parse();
  } catch (error) {
    process.exit((error as { exitCode?: number }).exitCode === 0 ? EXIT_PASS : EXIT_HARNESS_ERROR);
  }
}
