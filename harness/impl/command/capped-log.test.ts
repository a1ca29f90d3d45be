import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CappedLog } from './capped-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-capped-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** Writes `chunks` through a CappedLog with the given limits; returns the file's content. */
function throughLog(
  chunks: readonly Buffer[],
  headBytes: number,
  tailBytes: number,
): { text: string; dropped: number } {
  const file = join(dir, `log-${files++}`);
  const fd = openSync(file, 'a');
  const log = new CappedLog(fd, { headBytes, tailBytes });
  for (const chunk of chunks) log.write(chunk);
  log.close();
  log.write(Buffer.from('after close'));
  closeSync(fd);
  return { text: readFileSync(file, 'utf8'), dropped: log.droppedBytes };
}

/** Deterministic chunks of varying size, so that writes straddle the head's end and the ring's wrap. */
function chunksOf(text: string, seed: number): Buffer[] {
  const chunks: Buffer[] = [];
  let state = seed;
  for (let at = 0; at < text.length; ) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const size = 1 + (state % 23);
    chunks.push(Buffer.from(text.slice(at, at + size)));
    at += size;
  }
  return chunks;
}

describe('CappedLog', () => {
  const output = Array.from({ length: 400 }, (_, i) => `line ${i}\n`).join('');

  for (const [headBytes, tailBytes] of [
    [100, 50],
    [0, 64],
    [64, 0],
    [1, 1],
    [37, 1000],
  ] as const) {
    it(`keeps the first ${headBytes} and the last ${tailBytes} bytes of the output, whatever the chunk sizes`, () => {
      for (const seed of [1, 2, 3]) {
        const { text, dropped } = throughLog(chunksOf(output, seed), headBytes, tailBytes);
        const droppedBytes = output.length - headBytes - tailBytes;
        expect(dropped).toBe(droppedBytes);
        expect(text).toBe(
          `${output.slice(0, headBytes)}\n` +
            `… [rpc-chaos dropped ${(droppedBytes / 1000).toFixed(1)} kB (${droppedBytes} bytes) of output here] …\n` +
            `${output.slice(output.length - tailBytes)}`,
        );
      }
    });
  }

  it('keeps an output that fits whole, with no line about dropping', () => {
    expect(throughLog(chunksOf(output, 4), output.length - 10, 10)).toEqual({ text: output, dropped: 0 });
    expect(throughLog(chunksOf(output, 5), 10, output.length)).toEqual({ text: output, dropped: 0 });
  });

  it('takes a chunk larger than the whole tail at once', () => {
    const { text, dropped } = throughLog(
      [Buffer.from('head|'), Buffer.from('a'.repeat(500)), Buffer.from(`${'b'.repeat(300)}end`)],
      5,
      10,
    );
    expect(dropped).toBe(500 + 303 - 10);
    expect(text).toBe(`head|\n… [rpc-chaos dropped 793 B (793 bytes) of output here] …\nbbbbbbbend`);
  });
});
