/**
 * The commands of `rpc-chaos` (rpc-chaos.ts) that are compiled programs: each runs its program
 * with the arguments that follow it. Data on its own, so the package's test can check that
 * every program named here ships.
 */
/** A command that is one of the compiled programs (programs.json), given the arguments after it. */
export interface ProgramCommandSpec {
  readonly name: string;
  readonly program: string;
  /** What follows the name in the command list, e.g. "[arguments...]"; none for a command taking nothing. */
  readonly argument?: string;
  readonly usage: string;
  readonly description: string;
  /** Arguments the program gets before the user's, e.g. cli's "list". */
  readonly leading?: readonly string[];
}

export const PROGRAM_COMMANDS: readonly ProgramCommandSpec[] = [
  {
    name: 'run',
    program: 'cli',
    argument: '[arguments...]',
    usage: '<scenario> [options]',
    description: 'run one scenario (a name from "rpc-chaos list", or a scenario file); options: rpc-chaos run --help',
  },
  {
    name: 'suite',
    program: 'suite',
    argument: '[arguments...]',
    usage: '[options]',
    description:
      'run the single-node catalogue against implementations into one suite folder; options: rpc-chaos suite --help',
  },
  {
    name: 'report',
    program: 'report',
    argument: '[arguments...]',
    usage: '<run-dir> | --compare <runA> <runB> | --merge <dirs...>',
    description: "regenerate a run's report.html, junit.xml and summary.md, compare two runs, or merge segments",
  },
  { name: 'list', program: 'cli', usage: '', description: 'list the scenario catalogue', leading: ['list'] },
];
