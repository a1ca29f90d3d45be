import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const CLI = new URL('../../../cli/cli.ts', import.meta.url).pathname;
const SUITE = new URL('../../../cli/suite-command.ts', import.meta.url).pathname;

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `npm run scenario -- ...` against a broker the test owns (AMQP_URL, --broker url), through
 * the built-in proxy.
 */
export function runCli(amqpUrl: string, args: readonly string[], timeoutMs = 150_000): Promise<CliRun> {
  return runScenarioCli([...args, '--broker', 'url', '--proxy', 'builtin'], { AMQP_URL: amqpUrl }, timeoutMs);
}

/**
 * Runs the scenario CLI from source with `args` as given; with AMQP_URL and TOXIPROXY_URL
 * empty unless `env` sets them, so a run starts its own private broker and proxy.
 */
export function runScenarioCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 150_000,
): Promise<CliRun> {
  return runFromSource(CLI, args, env, timeoutMs);
}

/** `npm run suite -- ...` from source, as runScenarioCli runs a scenario. */
export function runSuiteCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 300_000,
): Promise<CliRun> {
  return runFromSource(SUITE, args, env, timeoutMs);
}

function runFromSource(
  entry: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs: number,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      env: { ...process.env, AMQP_URL: '', TOXIPROXY_URL: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Processes (not zombies waiting for init to reap them) of the group led by the pid in `pidFile`. */
export function liveGroupMembers(pidFile: string): string[] {
  if (!existsSync(pidFile)) return [];
  const group = readFileSync(pidFile, 'utf8').trim();
  const members: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: pid (comm) state ppid pgrp ...; comm may contain spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (pgrp === group && state !== 'Z') members.push(`${entry} ${stat.slice(0, stat.lastIndexOf(')') + 1)}`);
    } catch {
      // Gone while we looked.
    }
  }
  return members;
}

/** A node command line for a TypeScript file of this repository, as a user would write it. */
export function tsCommand(path: string, args = ''): string {
  const file = new URL(`../../../../${path}`, import.meta.url).pathname;
  return `${process.execPath} --import tsx ${file}${args ? ` ${args}` : ''}`;
}
