/**
 * `rpc-chaos <command>` in this repository (node harness/build/rpc-chaos.mjs, which the package's
 * bin is): each command runs its program with the arguments after it, untouched; an unknown
 * command or a program this build lacks exits 2 and says so. The installed package is tested by
 * harness/build/pack.integration.test.ts.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../build/programs.ts';
import { PROGRAM_COMMANDS } from './package-commands.ts';

const execFileAsync = promisify(execFile);
const BIN = join(REPO_ROOT, 'harness/build/rpc-chaos.mjs');
const PROGRAMS = JSON.parse(readFileSync(join(REPO_ROOT, 'harness/build/programs.json'), 'utf8')) as Record<
  string,
  string
>;

async function rpcChaos(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [BIN, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('rpc-chaos, the package command', { timeout: 60_000 }, () => {
  it("prints package.json's version and lists its commands", async () => {
    const version = await rpcChaos('--version');
    expect(version.code, version.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(manifest.version);
    const help = await rpcChaos('--help');
    expect(help.code, help.stderr).toBe(0);
    for (const command of ['run', 'suite', 'report', 'list', 'setup']) expect(help.stdout).toMatch(` ${command} `);
  });

  it('exits 2 for an unknown command, suggesting the closest one, and for no command', async () => {
    const typo = await rpcChaos('rn', 'duplicate-reply');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command 'rn'");
    expect(typo.stderr).toContain('Did you mean run?');
    const none = await rpcChaos();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: rpc-chaos [options] [command]');
  });

  it('hands a command its arguments untouched, options and --help included', async () => {
    const help = await rpcChaos('run', '--help');
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: rpc-chaos run [options] <name>');
    expect(help.stdout).toContain('--client-cmd <command>');
    const badOption = await rpcChaos('run', 'duplicate-reply', '--duration', 'soon');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("option '--duration <duration>' argument 'soon' is invalid");
    const list = await rpcChaos('list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^Scenarios:\n {2}duplicate-reply /);
    const report = await rpcChaos('report');
    expect(report.code).toBe(2);
    expect(report.stderr).toContain('give a run folder, e.g. rpc-chaos report reports/');
  });

  it('dispatches every command to a program this build has', () => {
    for (const command of PROGRAM_COMMANDS) expect(Object.keys(PROGRAMS), command.name).toContain(command.program);
  });

  it('sets up with npm ci in this repository (dry run: installs nothing)', async () => {
    const setup = await rpcChaos('setup', '--dry-run');
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout).toContain(`setup: would run npm ci in ${REPO_ROOT.replace(/\/$/, '')}`);
    const wrong = await rpcChaos('setup', '--force');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("unknown option '--force'");
  });
});
