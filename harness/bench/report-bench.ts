import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../report/browser.ts';
import { makeSyntheticResult } from '../report/synthetic-result.ts';
import { writeReports } from '../report/write-reports.ts';

export interface ReportBenchResult {
  readonly durationSec: number;
  readonly ratePerSec: number;
  readonly htmlBytes: number;
  /** From navigation start until every chart is drawn, median of the opens. Target < 2000 ms. */
  readonly openMs: number;
  readonly renderMs: number;
}

/** report.html of a 10-minute run at 500 calls/s: its size and how long it takes to open. */
export async function benchReport(opens = 3): Promise<ReportBenchResult> {
  const durationSec = 600;
  const ratePerSec = 500;
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-report-bench-'));
  const result = makeSyntheticResult({ durationSec, ratePerSec });
  const renderStart = performance.now();
  writeReports(dir, result);
  const renderMs = performance.now() - renderStart;
  const file = join(dir, 'report.html');
  const browser = await launchChromium();
  try {
    const times: number[] = [];
    for (let i = 0; i < opens; i++) {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      const start = performance.now();
      await page.goto(`file://${file}`);
      await page.waitForSelector('body[data-charts-drawn="3"]', { timeout: 30_000 });
      times.push(performance.now() - start);
      await page.close();
    }
    times.sort((a, b) => a - b);
    return { durationSec, ratePerSec, htmlBytes: statSync(file).size, openMs: times[Math.floor(times.length / 2)]!, renderMs };
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
