import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputPath, makeDirectory, OutputPathError } from './output-paths.ts';

const scratch = mkdtempSync(join(tmpdir(), 'rpc-chaos-paths-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Each check must answer at once: the bug it replaces was an endless loop. */
function timed<T>(work: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = work();
  return { value, ms: performance.now() - started };
}

describe('checkOutputPath', { timeout: 10_000 }, () => {
  it('accepts a new folder under a writable one, and creates nothing while checking', () => {
    const out = join(scratch, 'new', 'run');
    expect(checkOutputPath({ option: '--out', path: out, kind: 'folder' })).toBeUndefined();
    expect(existsSync(join(scratch, 'new'))).toBe(false);
    expect(readdirSync(scratch).filter((name) => name.includes('probe'))).toEqual([]);
  });

  it('refuses a folder under /proc at once instead of hanging', () => {
    const { value, ms } = timed(() => checkOutputPath({ option: '--out', path: '/proc/x', kind: 'folder' }));
    expect(value).toContain('--out /proc/x: /proc is on the proc pseudo filesystem');
    expect(ms).toBeLessThan(1000);
  });

  it('refuses a baseline file in a missing folder under /proc', () => {
    const { value, ms } = timed(() =>
      checkOutputPath({ option: '--save-baseline', path: '/proc/sub/b.json', kind: 'file' }),
    );
    expect(value).toContain('--save-baseline /proc/sub/b.json: /proc is on the proc pseudo filesystem');
    expect(ms).toBeLessThan(1000);
  });

  it('refuses /sys', () => {
    expect(checkOutputPath({ option: '--out', path: '/sys/kernel/x', kind: 'folder' })).toMatch(
      /sysfs pseudo filesystem/,
    );
  });

  it('refuses a folder whose parent is a file', () => {
    const file = join(scratch, 'plain-file');
    writeFileSync(file, 'x');
    expect(checkOutputPath({ option: '--out', path: join(file, 'sub'), kind: 'folder' })).toBe(
      `--out ${join(file, 'sub')}: ${file} is a file, so no folder can be created under it`,
    );
  });

  it('refuses a file where a folder is wanted, and a folder where a file is wanted', () => {
    const file = join(scratch, 'taken');
    writeFileSync(file, 'x');
    expect(checkOutputPath({ option: '--out', path: file, kind: 'folder' })).toContain(
      'a file of that name exists; give a folder',
    );
    expect(checkOutputPath({ option: '--save-baseline', path: scratch, kind: 'file' })).toContain(
      'that is a folder; give a file name',
    );
  });

  it('refuses a folder this process cannot write in', () => {
    // Permission bits do not stop root, so a non-root run tests them and root tests a read-only /proc entry.
    if (process.getuid?.() === 0) {
      expect(checkOutputPath({ option: '--out', path: '/proc/self/x', kind: 'folder' })).toMatch(
        /pseudo filesystem|cannot write/,
      );
      return;
    }
    const locked = join(scratch, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      expect(checkOutputPath({ option: '--out', path: join(locked, 'run'), kind: 'folder' })).toContain(
        'cannot write in',
      );
    } finally {
      chmodSync(locked, 0o700);
    }
  });

  it('refuses an empty path', () => {
    expect(checkOutputPath({ option: '--out', path: ' ', kind: 'folder' })).toBe('--out: the path is empty');
  });
});

describe('makeDirectory', { timeout: 10_000 }, () => {
  it('creates every missing level', () => {
    const dir = join(scratch, 'a', 'b', 'c');
    makeDirectory(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    makeDirectory(dir);
  });

  it('throws instead of hanging under /proc', () => {
    const { value, ms } = timed(() => {
      try {
        makeDirectory('/proc/sub/dir');
        return undefined;
      } catch (error) {
        return error;
      }
    });
    expect(value).toBeInstanceOf(OutputPathError);
    expect((value as Error).message).toContain('cannot create /proc/sub/dir: /proc is on the proc pseudo filesystem');
    expect(ms).toBeLessThan(1000);
  });

  it('throws when a level is a file', () => {
    const file = join(scratch, 'file-level');
    writeFileSync(file, 'x');
    expect(() => makeDirectory(join(file, 'x', 'y'))).toThrow(`${file} is a file, not a folder`);
  });
});
