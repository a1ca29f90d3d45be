import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../report/browser.ts';
import { LARGE_RUN, makeLargeSyntheticResult } from './synthetic-result.ts';
import { writeReports } from '../report/write-reports.ts';

/** Opens per measurement; the median is reported, the first open also pays for a cold browser. */
const OPENS = 3;

/**
 * report.html of a 10-minute run at 500 calls/s: its size in bytes and how long headless
 * Chromium takes from navigation until every chart is drawn. Targets: < 2 MB, < 2 s.
 * Returns plain numbers so a bench runner can print or store them.
 */
export async function benchReport(): Promise<Record<string, number>> {
  const result = makeLargeSyntheticResult();
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-report-bench-'));
  try {
    const renderStart = performance.now();
    writeReports(dir, result);
    const generateMs = performance.now() - renderStart;
    const file = join(dir, 'report.html');
    const browser = await launchChromium();
    try {
      const times: number[] = [];
      for (let i = 0; i < OPENS; i++) {
        const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
        const start = performance.now();
        await page.goto(`file://${file}`);
        await page.waitForSelector('body[data-charts-drawn="3"]', { timeout: 30_000 });
        times.push(performance.now() - start);
        await page.close();
      }
      times.sort((x, y) => x - y);
      return {
        durationSec: LARGE_RUN.durationSec,
        ratePerSec: LARGE_RUN.ratePerSec,
        seriesPoints: result.latency.series.length,
        timelineEvents: result.timeline.events.length,
        htmlBytes: statSync(file).size,
        generateMs: Math.round(generateMs),
        openMs: Math.round(times[Math.floor(times.length / 2)]!),
        openMsMax: Math.round(times[times.length - 1]!),
      };
    } finally {
      await browser.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// `npx tsx harness/bench/report-bench.ts` prints the numbers.
// Only from source: compiled, this module is part of the bench's bundle, whose main script it is not.
if (import.meta.url.endsWith('.ts') && import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchReport());
}
