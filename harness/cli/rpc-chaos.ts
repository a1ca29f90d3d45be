/**
 * `rpc-chaos <command> [arguments...]`: the package's one command (`npx rpc-chaos ...` in a
 * project that installed it). A command runs one of the compiled programs in this process with
 * the arguments that follow it, untouched, as its npm script does in this repository:
 *
 *   rpc-chaos run <scenario> [options]    npm run scenario -- <scenario> [options]
 *   rpc-chaos suite [options]             the single-node catalogue against implementations
 *   rpc-chaos report <run-dir> | ...      npm run report -- ...
 *   rpc-chaos list                        npm run scenario -- list
 *   rpc-chaos setup [--dry-run]           npm run setup; an installed package runs no npm ci
 *
 * Exit codes are the command's; 2 for an unknown command or a program this build lacks.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { isProgramName, programCommand, repoPath } from '../build/programs.ts';
import { EXIT_HARNESS_ERROR, EXIT_PASS } from '../exit-codes.ts';
import { HARNESS_VERSION } from '../version.ts';
import { PROGRAM_COMMANDS } from './package-commands.ts';
import { setInvokedAs } from './invoked-as.ts';

const SETUP_SCRIPT = repoPath('harness/env/setup.sh');

/**
 * Runs a compiled program in this process, as if started as `node dist/<program>.js ...args`.
 * From then on the process is the program's, which exits when and how it decides; an exit code
 * comes back only when it cannot be run.
 */
async function runProgramHere(command: string, program: string, args: readonly string[]): Promise<number | undefined> {
  if (!isProgramName(program)) {
    console.error(
      `rpc-chaos ${command}: rpc-chaos ${HARNESS_VERSION} was built without a "${program}" program ` +
        '(harness/build/programs.json does not list it)',
    );
    return EXIT_HARNESS_ERROR;
  }
  const { file } = programCommand(program);
  if (!existsSync(file)) {
    console.error(
      `rpc-chaos ${command}: ${file} is missing; in the rpc-chaos repository run "npm run build", ` +
        'an installed package was packed without it: pack and install it again',
    );
    return EXIT_HARNESS_ERROR;
  }
  setInvokedAs(`rpc-chaos ${command}`);
  process.argv = [process.argv[0] ?? process.execPath, file, ...args];
  await import(pathToFileURL(file).href);
  return undefined;
}

/** The setup script, with the terminal: apt-get may ask for a sudo password. */
function runSetup(args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('/bin/bash', [SETUP_SCRIPT, ...args], { stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(`rpc-chaos setup: cannot run ${SETUP_SCRIPT}: ${error.message}`);
      resolve(EXIT_HARNESS_ERROR);
    });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/** What the user typed after the command's name, exactly (commander would drop a "--"). */
function argumentsAfter(command: string): string[] {
  const given = process.argv.slice(2);
  return given.slice(given.indexOf(command) + 1);
}

/** `onExit`: the exit code a command ended with; not called when a program took over the process. */
function commandLine(onExit: (code: number | undefined) => void): Command {
  const program = new Command('rpc-chaos')
    .description('Chaos scenarios for request/reply RPC over RabbitMQ: prove your server and client survive faults')
    .version(HARNESS_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .enablePositionalOptions()
    .showHelpAfterError('(rpc-chaos --help lists the commands)')
    .addHelpText(
      'after',
      '\nThe arguments after a command go to it unchanged: rpc-chaos run --help lists the options of a run.\n' +
        'Exit codes: 0 pass, 1 a check or gate failed, 2 could not run (or an unknown command), 130 interrupted.',
    )
    .exitOverride();
  for (const spec of PROGRAM_COMMANDS) {
    const command = program.command(spec.name).usage(spec.usage).description(spec.description).helpOption(false);
    // The program parses its own arguments, options and --help included.
    if (spec.argument) command.argument(spec.argument).allowUnknownOption().allowExcessArguments();
    command.action(async () => {
      onExit(await runProgramHere(spec.name, spec.program, [...(spec.leading ?? []), ...argumentsAfter(spec.name)]));
    });
  }
  program
    .command('setup')
    .description(
      'install the Debian packages a run needs (rabbitmq-server, iptables, python3-pika) with apt-get; ' +
        'in this repository also npm ci',
    )
    .option('--dry-run', 'say what would be installed, install nothing')
    .action(async (options: { dryRun?: boolean }) => {
      onExit(await runSetup(options.dryRun ? ['--dry-run'] : []));
    });
  return program;
}

/** The exit code, or undefined when the program that ran decides how the process ends. */
async function main(): Promise<number | undefined> {
  let exitCode: number | undefined = EXIT_PASS;
  try {
    await commandLine((code) => {
      exitCode = code;
    }).parseAsync();
  } catch (error) {
    // Commander has printed the help, the version or the usage error already.
    const code = (error as { exitCode?: number }).exitCode;
    if (code === undefined) throw error;
    return code === 0 ? EXIT_PASS : EXIT_HARNESS_ERROR;
  }
  return exitCode;
}

const exitCode = await main();
if (exitCode !== undefined) process.exit(exitCode);
