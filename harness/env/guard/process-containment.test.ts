/**
 * How the guard finds the processes a command left: by the process group recorded at spawn
 * (without mistaking a reused pid for it) and by the command's cgroup (also the processes that
 * left the group). Real processes, no broker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandProcess } from '../../impl/command/command-process.ts';
import { processContainment } from './guarded.ts';
import { cgroupProcesses, cgroupsRoot } from './cgroups.mjs';
import { killProcessGroupOf, ownersRoot, processStartTime, removeLeftover, type Leftover } from './leftovers.mjs';

const BOUND_MS = 10_000;
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const START_COMMAND = fileURLToPath(new URL('./fixtures/start-command.ts', import.meta.url));
const dirs: string[] = [];
const started: ChildProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-containment-'));
  dirs.push(dir);
  return dir;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function running(pid: number): boolean {
  return processStartTime(pid) !== undefined;
}

/** Polls `condition` until it holds or the bound passes; returns whether it held. */
async function within(boundMs: number, condition: () => boolean): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Pids the shell script appended to `file`, once it holds `count` of them. */
async function pidsIn(file: string, count: number): Promise<number[]> {
  const read = () =>
    existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
  expect(await within(BOUND_MS, () => read().length >= count), `${file} never held ${count} pids`).toBe(true);
  return read();
}

/** The process records of this test process's owner state directory, as the guard reads them. */
function ownRecords(): Array<Extract<Leftover, { kind: 'processes' }>> {
  const stateDir = join(ownersRoot(), `${process.pid}-${processStartTime(process.pid)}`);
  return readdirSync(stateDir)
    .filter((name) => name.endsWith('.json') && name !== 'owner.json')
    .map((name) => JSON.parse(readFileSync(join(stateDir, name), 'utf8')) as Leftover)
    .filter((leftover): leftover is Extract<Leftover, { kind: 'processes' }> => leftover.kind === 'processes');
}

function spawnDetached(script: string, env: Readonly<Record<string, string>> = {}): ChildProcess {
  const child = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
  started.push(child);
  return child;
}

afterAll(() => {
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('process groups and cgroups of guarded processes', { timeout: 60_000 }, () => {
  it('kills an orphaned process group whose leader is gone', async () => {
    const pidFile = join(tempDir(), 'pids');
    const leader = spawnDetached(`sleep 300 & echo $! >> ${pidFile}; exit 0`);
    const leaderStartTime = processStartTime(leader.pid!);
    const [orphan] = await pidsIn(pidFile, 1);
    expect(await within(BOUND_MS, () => !running(leader.pid!))).toBe(true);
    expect(running(orphan!)).toBe(true);

    expect(killProcessGroupOf({ pgid: leader.pid!, leaderStartTime })).toEqual([orphan]);
    expect(await within(BOUND_MS, () => !running(orphan!))).toBe(true);
  });

  it("leaves alone a group whose id is now another process's (a reused pid)", async () => {
    const other = spawnDetached('exec sleep 300');
    await within(BOUND_MS, () => running(other.pid!));
    // The recorded leader started at another time: this group is not the one recorded.
    expect(killProcessGroupOf({ pgid: other.pid!, leaderStartTime: '1' })).toEqual([]);
    await sleep(200);
    expect(running(other.pid!)).toBe(true);
  });

  it(
    'finds, through its record, a command that dropped its environment and the daemon ' +
      'it started outside its group; removing the record kills both and the cgroup',
    async () => {
      const dir = tempDir();
      const pidFile = join(dir, 'pids');
      const command = new CommandProcess({
        name: 'containment-1',
        command:
          `env -i PATH=/usr/bin:/bin /bin/sh -c 'setsid sleep 301 & echo $! >> ${pidFile}; ` +
          `echo $$ >> ${pidFile}; exec sleep 300'`,
        incarnation: 1,
        env: {},
        logFile: join(dir, 'containment-1.log'),
        stdio: 'log',
      });
      const [daemon, server] = await pidsIn(pidFile, 2);
      expect(processContainment(), `this machine mounts a writable cgroup v2 hierarchy under ${cgroupsRoot()}`).toEqual(
        {
          mechanism: 'cgroup',
          parent: expect.any(String),
        },
      );

      // What the guard reads when the owner is gone.
      const record = ownRecords().find((leftover) => leftover.what === 'command containment-1');
      expect(record?.group).toEqual({ pgid: command.pid, leaderStartTime: processStartTime(command.pid!) });
      expect(cgroupProcesses(record!.cgroup!)).toEqual(expect.arrayContaining([daemon, server]));
      expect(readFileSync(`/proc/${server}/environ`, 'latin1')).not.toContain('RPC_CHAOS_LEFTOVER=');

      const line = await removeLeftover(record!);
      expect(line).toMatch(new RegExp(`^killed command containment-1 \\(pids .*\\b${daemon}\\b`));
      expect(await within(BOUND_MS, () => !running(daemon!) && !running(server!))).toBe(true);
      expect(existsSync(record!.cgroup!)).toBe(false);
      await command.exited;
    },
  );

  it(
    'when a command ends, what it left in its group or only in its cgroup is killed, ' +
      'and its cgroup and record are removed',
    async () => {
      const dir = tempDir();
      const pidFile = join(dir, 'pids');
      const command = new CommandProcess({
        name: 'containment-2',
        // Without the marker too: only the cgroup still holds the second sleep.
        command:
          `sleep 300 & echo $! >> ${pidFile}; ` +
          `env -i /usr/bin/setsid /bin/sleep 301 & echo $! >> ${pidFile}; sleep 0.2; exit 3`,
        incarnation: 1,
        env: {},
        logFile: join(dir, 'containment-2.log'),
        stdio: 'log',
      });
      const [inGroup, outOfGroup] = await pidsIn(pidFile, 2);
      const record = ownRecords().find((leftover) => leftover.what === 'command containment-2');
      expect(record?.cgroup).toBeDefined();
      expect(cgroupProcesses(record!.cgroup!)).toEqual(expect.arrayContaining([inGroup, outOfGroup]));

      expect(await command.exited).toEqual({ code: 3, signal: null });
      expect(await within(BOUND_MS, () => !running(inGroup!) && !running(outOfGroup!))).toBe(true);
      expect(existsSync(record!.cgroup!)).toBe(false);
      expect(ownRecords().filter((leftover) => leftover.what === 'command containment-2')).toEqual([]);
    },
  );

  it(
    'where no cgroup can be made (an unprivileged user), a command is held by its process group alone, ' +
      'silently, with the reason recorded; the guard still kills it when its owner is SIGKILLed',
    async () => {
      const dir = tempDir();
      chmodSync(dir, 0o777);
      const pidFile = join(dir, 'pids');
      const owner = spawn(
        'setpriv',
        [
          '--reuid',
          'nobody',
          '--regid',
          'nogroup',
          '--clear-groups',
          '--',
          process.execPath,
          '--import',
          'tsx',
          START_COMMAND,
          join(dir, 'server-1.log'),
          pidFile,
        ],
        {
          cwd: repoRoot,
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: dir, HOME: dir },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        },
      );
      started.push(owner);
      let output = '';
      owner.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      owner.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const [helper, server] = await pidsIn(pidFile, 2);
      expect(await within(BOUND_MS, () => output.includes('\n')), output).toBe(true);
      expect(JSON.parse(output.split('\n')[0]!)).toEqual({
        mechanism: 'process-group',
        reason: expect.stringMatching(/^cannot make or join a cgroup in .*: EACCES$/),
      });
      expect(readFileSync(`/proc/${server}/environ`, 'latin1')).not.toContain('RPC_CHAOS_LEFTOVER=');

      // setpriv execs node: the owner is the process it started.
      expect(commandLineOf(owner.pid!)).toContain('start-command.ts');
      process.kill(owner.pid!, 'SIGKILL');
      expect(await within(BOUND_MS, () => !running(helper!) && !running(server!)), output).toBe(true);
      expect(
        await within(BOUND_MS, () => /ended without stopping this: killed command server-1 \(pids /.test(output)),
        output,
      ).toBe(true);
      // Nothing else was said: the fallback is silent.
      expect(
        output
          .split('\n')
          .filter(
            (line) => line !== '' && !line.startsWith('{') && !line.startsWith('rpc-chaos: the harness process '),
          ),
      ).toEqual([]);
    },
  );
});
