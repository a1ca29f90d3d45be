import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimRunFolder, LOCK_FILE, RunFolderError } from './run-folder.ts';

const scratch = mkdtempSync(join(tmpdir(), 'rpc-chaos-run-folder-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The pid of a process that has ended, so a lock naming it is stale. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('claimRunFolder', { timeout: 10_000 }, () => {
  it('creates the folder, locks it while the run lasts and unlocks it on release', () => {
    const dir = join(scratch, 'fresh', 'run');
    const claimed = claimRunFolder(dir, { overwrite: false });
    const lock = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(lock.pid).toBe(process.pid);
    expect(claimed.notes).toEqual([]);
    claimed.release();
    claimed.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('refuses a folder another live run has locked', () => {
    const dir = join(scratch, 'busy');
    const first = claimRunFolder(dir, { overwrite: false });
    try {
      expect(() => claimRunFolder(dir, { overwrite: true })).toThrow(RunFolderError);
      expect(() => claimRunFolder(dir, { overwrite: false })).toThrow(
        `shows that process ${process.pid} on ${hostname()}`,
      );
    } finally {
      first.release();
    }
  });

  it('takes over a lock left by a process that is no longer running, with a note', () => {
    const dir = join(scratch, 'stale');
    mkdirSync(dir);
    const pid = deadPid();
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid, host: hostname(), startedAt: '2026-12-01T10:00:00.000Z' }),
    );
    const claimed = claimRunFolder(dir, { overwrite: false });
    expect(claimed.notes).toEqual([
      `took over a stale lock in ${dir}: process ${pid} (started 2026-12-01T10:00:00.000Z) ` +
        'is no longer running; it left no files',
    ]);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    claimed.release();
  });

  it('removes what the dead run left when it takes over its lock, names it, and keeps other files', () => {
    const dir = join(scratch, 'stale-with-files');
    mkdirSync(dir);
    const pid = deadPid();
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({ pid, host: hostname(), startedAt: '2026-12-01T10:00:00.000Z' }),
    );
    const left = ['spans-server-1.jsonl', 'spans-client-1.jsonl', 'server-2.log', 'result.json'];
    for (const file of [...left, 'notes.txt']) writeFileSync(join(dir, file), 'from the killed run');
    const claimed = claimRunFolder(dir, { overwrite: false });
    expect(claimed.notes).toEqual([
      `took over a stale lock in ${dir}: process ${pid} (started 2026-12-01T10:00:00.000Z) ` +
        'is no longer running; removed what it left: ' +
        'result.json, server-2.log, spans-client-1.jsonl, spans-server-1.jsonl',
    ]);
    for (const gone of left) expect(existsSync(join(dir, gone)), gone).toBe(false);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('from the killed run');
    claimed.release();
  });

  it('refuses a folder that holds an earlier run, and unlocks it again', () => {
    const dir = join(scratch, 'earlier');
    mkdirSync(join(dir, 'run-2'), { recursive: true });
    writeFileSync(join(dir, 'run-2', 'result.json'), '{}');
    expect(() => claimRunFolder(dir, { overwrite: false })).toThrow(
      `${dir} already holds a run (run-2/result.json): choose another --out, or pass --overwrite to replace it`,
    );
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it("with overwrite removes the earlier run's files and nothing else", () => {
    const dir = join(scratch, 'overwrite');
    mkdirSync(join(dir, 'run-1'), { recursive: true });
    for (const file of [
      'result.json',
      'report.html',
      'junit.xml',
      'summary.md',
      'spans-client-1.jsonl',
      'client-1.log',
      'notes.txt',
    ])
      writeFileSync(join(dir, file), 'x');
    writeFileSync(join(dir, 'run-1', 'result.json'), '{}');
    const claimed = claimRunFolder(dir, { overwrite: true });
    expect(claimed.notes).toEqual([
      `--overwrite: removed the earlier run in ${dir} ` +
        '(client-1.log, junit.xml, report.html, result.json, run-1, spans-client-1.jsonl, summary.md)',
    ]);
    for (const gone of [
      'result.json',
      'report.html',
      'junit.xml',
      'summary.md',
      'spans-client-1.jsonl',
      'client-1.log',
      'run-1',
    ])
      expect(existsSync(join(dir, gone)), gone).toBe(false);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    claimed.release();
  });

  it('accepts a folder with unrelated files in it', () => {
    const dir = join(scratch, 'unrelated');
    mkdirSync(dir);
    writeFileSync(join(dir, 'README'), 'x');
    const claimed = claimRunFolder(dir, { overwrite: false });
    expect(claimed.notes).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    claimed.release();
    expect(readFileSync(join(dir, 'README'), 'utf8')).toBe('x');
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});
