import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessResources } from '../model/process-resources.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { makeSyntheticResult } from '../bench/synthetic-result.ts';
import { launchChromium } from './browser.ts';
import { writeResult } from './result-io.ts';
import { writeReports } from './write-reports.ts';

/** Full-page screenshots for a person to look at; .tmp/ is git-ignored. */
const SCREENSHOTS = resolve('.tmp/screenshots');
const MiB = 1024 * 1024;
let browser: Browser;

/** One reading a second for `seconds`, skipping the seconds in `gap` (a killed process). */
function samples(seconds: number, rssMiB: (t: number) => number, cpu: (t: number) => number, gap: number[] = []) {
  return Array.from({ length: seconds }, (_, t) => t)
    .filter((t) => !gap.includes(t))
    .map((t) => ({ tMs: t * 1000 + 3, rssBytes: Math.round(rssMiB(t) * MiB), cpuPercent: cpu(t) }));
}

/** Three clients, a server killed at 4 s and restarted at 6 s, and the broker. */
function withResources(): ScenarioResult {
  const processes: ProcessResources[] = [
    ...[1, 2, 3].map((i) => ({
      name: `client-${i}`,
      role: 'client' as const,
      samples: samples(
        12,
        (t) => 60 + i * 3 + t * 0.4,
        (t) => 8 + i + (t % 3),
      ),
    })),
    {
      name: 'server-1',
      role: 'server',
      samples: samples(
        4,
        (t) => 70 + t,
        () => 25,
      ),
    },
    {
      name: 'server-1.2',
      role: 'server',
      samples: samples(
        12,
        () => 68,
        () => 22,
        [0, 1, 2, 3, 4, 5],
      ),
    },
    {
      name: 'broker',
      role: 'broker',
      samples: samples(
        12,
        (t) => 140 + t * 2,
        (t) => (t === 4 ? 80 : 35),
      ),
    },
  ];
  return { ...makeSyntheticResult(), resources: { intervalMs: 1000, processes } };
}

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

describe("report.html's memory and CPU of every process, in headless Chromium", { timeout: 90_000 }, () => {
  it('draws memory and CPU over time and tabulates each process, with no console error', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'rpc-chaos-resources-'));
    const result = withResources();
    writeResult(runDir, result);
    writeReports(runDir, result);
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(`file://${join(runDir, 'report.html')}`);
    await page.waitForSelector('body[data-resource-charts-drawn]', { timeout: 15_000 });
    expect(errors).toEqual([]);
    expect(await page.getAttribute('body', 'data-resource-charts-drawn')).toBe('2');
    // The other charts still draw as before.
    expect(await page.getAttribute('body', 'data-charts-drawn')).toBe('3');
    const legend = await page.$$eval('#chart-memory .u-legend th', (cells) => cells.map((cell) => cell.textContent));
    expect(legend).toEqual(
      expect.arrayContaining(['client-1', 'client-2', 'client-3', 'server-1', 'server-1.2', 'broker']),
    );
    for (const chart of ['#chart-memory', '#chart-cpu']) {
      const drawn = await page.$eval(chart, (element) => {
        const canvas = element.querySelector('canvas')!;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let coloured = 0;
        for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3]! > 0) coloured++;
        return coloured;
      });
      expect(drawn, chart).toBeGreaterThan(500);
    }
    const table = await page.textContent('#resource-table');
    expect(table).toContain('broker');
    expect(table).toContain('162.0 MiB'); // the broker's peak: 140 + 11 x 2
    await (await page.$('#resources'))!.screenshot({ path: join(SCREENSHOTS, 'report-resources-1366.png') });
    await page.close();
  });

  it('leaves the section out of a result without samples', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'rpc-chaos-resources-'));
    const result = makeSyntheticResult();
    writeReports(runDir, result);
    const page = await browser.newPage();
    await page.goto(`file://${join(runDir, 'report.html')}`);
    await page.waitForSelector('body[data-charts-drawn]', { timeout: 15_000 });
    expect(await page.$('#resources')).toBeNull();
    await page.close();
  });
});
