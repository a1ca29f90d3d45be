/**
 * An external command's log in the run folder is bounded: the head and the tail of what one
 * incarnation wrote, and a line saying how much was dropped between them.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOG_HEAD_BYTES, LOG_TAIL_BYTES } from '../capped-log.ts';
import { CommandProcess } from '../command-process.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-log-cap-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const FIRST_LINE = 'server starting: first line of stderr\n';
const LAST_LINE = 'fatal: last words before exit\n';
/** 50 MB of stderr, as the probe's server wrote, between the first and the last line. */
const FILLER_BYTES = 50_000_000;
const DROPPED_LINE = /\n… \[rpc-chaos dropped ([\d.]+ MB) \((\d+) bytes\) of output here\] …\n/;

describe('the log of an external command', { timeout: 120_000 }, () => {
  it(
    `keeps the first ${LOG_HEAD_BYTES} and the last ${LOG_TAIL_BYTES} bytes of 50 MB of stderr ` +
      'and says how many bytes it dropped',
    async () => {
      const dir = tempDir();
      const logFile = join(dir, 'server-1.log');
      const writer = join(dir, 'writer.mjs');
      writeFileSync(
        writer,
        `process.stderr.write(${JSON.stringify(FIRST_LINE)});
const filler = Buffer.alloc(1_000_000, 'x');
for (let i = 0; i < ${FILLER_BYTES / 1_000_000}; i++) process.stderr.write(filler);
process.stderr.write(${JSON.stringify(LAST_LINE)});
process.exitCode = 4;
`,
      );
      const command = new CommandProcess({
        name: 'server-1',
        command: `${process.execPath} ${writer}`,
        incarnation: 1,
        env: {},
        logFile,
        stdio: 'log',
      });
      expect(await command.exited).toEqual({ code: 4, signal: null });

      const log = readFileSync(logFile);
      const text = log.toString('utf8');
      const separator = text.slice(0, text.indexOf('\n') + 1);
      expect(separator).toMatch(/^--- server-1 incarnation 1 started /);
      const dropped = DROPPED_LINE.exec(text);
      expect(dropped, text.slice(0, 300)).not.toBeNull();
      const written = FIRST_LINE.length + FILLER_BYTES + LAST_LINE.length;
      expect(Number(dropped![2])).toBe(written - LOG_HEAD_BYTES - LOG_TAIL_BYTES);
      expect(dropped![1]).toBe('47.9 MB');
      expect(statSync(logFile).size).toBe(
        Buffer.byteLength(separator) + LOG_HEAD_BYTES + Buffer.byteLength(dropped![0]) + LOG_TAIL_BYTES,
      );
      // Head: from the first line on; tail: up to the last line; nothing of the middle twice.
      const head = text.slice(separator.length, dropped!.index);
      expect(head.startsWith(FIRST_LINE)).toBe(true);
      expect(head.length).toBe(LOG_HEAD_BYTES);
      const tail = text.slice(dropped!.index + dropped![0].length);
      expect(tail.endsWith(LAST_LINE)).toBe(true);
      expect(tail.length).toBe(LOG_TAIL_BYTES);
      expect(tail.slice(0, -LAST_LINE.length)).toMatch(/^x+$/);
      // The error messages still quote the end of the output.
      expect(command.logTail(1)).toContain('fatal: last words before exit');
    },
  );

  it(
    'keeps a small output whole, without a dropped line, ' + 'and each incarnation has a head and a tail of its own',
    async () => {
      const dir = tempDir();
      const logFile = join(dir, 'server-2.log');
      for (const incarnation of [1, 2]) {
        const command = new CommandProcess({
          name: 'server-2',
          command: `echo "incarnation ${incarnation} on stdout"; echo "incarnation ${incarnation} on stderr" >&2`,
          incarnation,
          env: {},
          logFile,
          stdio: 'log',
        });
        expect(await command.exited).toEqual({ code: 0, signal: null });
      }
      const text = readFileSync(logFile, 'utf8');
      expect(text).not.toContain('rpc-chaos dropped');
      expect(text.match(/^--- server-2 incarnation \d started .*$/gm)).toHaveLength(2);
      for (const incarnation of [1, 2]) {
        expect(text).toContain(`incarnation ${incarnation} on stdout\n`);
        expect(text).toContain(`incarnation ${incarnation} on stderr\n`);
      }
    },
  );
});
