import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { renderCompareHtml } from './compare.ts';
import { writeResult } from './result-io.ts';
import { makeSyntheticResult } from './synthetic-result.ts';
import { writeReports } from './write-reports.ts';

const SCREENSHOTS = resolve('.tmp/screenshots');
let browser: Browser;

/** Opens a file in a fresh page, collecting console errors and every request the page makes. */
async function open(file: string, colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, colorScheme });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-charts-drawn]', { timeout: 10_000 });
  return { page, errors, requests };
}

/** True when a canvas has pixels that differ from its first pixel: something was drawn. */
function canvasHasDrawing(page: Page, selector: string): Promise<boolean> {
  return page.$eval(selector, (element) => {
    const canvas = element.querySelector('canvas');
    if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 4; i < pixels.length; i += 4) {
      if (pixels[i + 3] !== pixels[3] || pixels[i] !== pixels[0]) return true;
    }
    return false;
  });
}

describe('report.html in headless Chromium', { timeout: 60_000 }, () => {
  const runDir = mkdtempSync(join(tmpdir(), 'rpc-chaos-report-'));
  const result = makeSyntheticResult({ durationSec: 30, ratePerSec: 200 });

  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeResult(runDir, result);
    writeReports(runDir, result);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('opens from disk with no console errors and no request but the file itself', async () => {
    const { page, errors, requests } = await open(join(runDir, 'report.html'));
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    expect(requests).toHaveLength(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-light.png'), fullPage: true });
    await page.close();
  });

  it('draws every chart', async () => {
    const { page } = await open(join(runDir, 'report.html'));
    expect(await page.getAttribute('body', 'data-charts-drawn')).toBe('3');
    for (const chart of ['#chart-spectrum', '#chart-latency', '#chart-throughput']) {
      expect(await canvasHasDrawing(page, chart), chart).toBe(true);
    }
    await page.close();
  });

  it('shows the verdict, the checks with their numbers and the fault windows', async () => {
    const { page } = await open(join(runDir, 'report.html'));
    expect(await page.textContent('.verdict')).toBe('PASS');
    expect(await page.textContent('body')).toContain('killed at the fault point 2, duplicates discarded 2');
    // Inside a fault window the top of the plot is shaded; well outside it, it is not.
    const shading = await page.evaluate(() => {
      type Plot = { valToPos(v: number, scale: string, canvasPixels: boolean): number; bbox: { top: number }; ctx: CanvasRenderingContext2D };
      const { latency, faults } = (window as unknown as { rpcChaosCharts: { latency: Plot; faults: Array<{ start: number; end: number }> } }).rpcChaosCharts;
      const pixel = (seconds: number) => Array.from(latency.ctx.getImageData(Math.round(latency.valToPos(seconds, 'x', true)), Math.round(latency.bbox.top + 40), 1, 1).data);
      const first = faults[0]!;
      return { windows: faults.length, inside: pixel((first.start + (first.end - first.start) / 2) / 1000), outside: pixel(first.start / 1000 / 3) };
    });
    expect(shading.windows).toBe(2);
    expect(shading.inside).not.toEqual(shading.outside);
    expect(shading.inside[0]!).toBeGreaterThan(shading.inside[2]!); // reddish
    await page.close();
  });

  it('shows the duplicate reply waterfall: publish, killed process span, redelivery, discard', async () => {
    const { page } = await open(join(runDir, 'report.html'));
    const rows = await page.locator('#waterfall .wf-row').count();
    expect(rows).toBe(6);
    expect(await page.locator('#waterfall .wf-bar.error').count()).toBe(1);
    expect(await page.locator('#waterfall .wf-discard').count()).toBe(1);
    expect(await page.textContent('#waterfall')).toContain('process killed at afterReplyBeforeAck');
    await page.close();
  });

  it('switches between light and dark without errors and redraws the charts', async () => {
    const { page, errors } = await open(join(runDir, 'report.html'), 'light');
    const before = await page.$eval('body', (b) => getComputedStyle(b).backgroundColor);
    await page.click('#theme-toggle');
    const after = await page.$eval('body', (b) => getComputedStyle(b).backgroundColor);
    expect(after).not.toBe(before);
    expect(await canvasHasDrawing(page, '#chart-latency')).toBe(true);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-dark.png'), fullPage: true });
    await page.close();
  });

  it('says plainly when a run has no duplicate reply to show', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-report-empty-'));
    const plain = makeSyntheticResult({ durationSec: 5 }, { traces: {} });
    writeReports(dir, plain);
    const { page, errors } = await open(join(dir, 'report.html'));
    expect(errors).toEqual([]);
    expect(await page.textContent('#waterfall-empty')).toContain('No duplicate reply in this run');
    await page.close();
  });

  it('renders the comparison page with both spectra', async () => {
    const file = join(runDir, 'compare.html');
    writeFileSync(file, renderCompareHtml(makeSyntheticResult({ durationSec: 10, medianMs: 2 }), makeSyntheticResult({ durationSec: 10, medianMs: 3, seed: 9 })));
    const { page, errors, requests } = await open(file);
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(await canvasHasDrawing(page, '#chart-compare')).toBe(true);
    expect(await page.locator('td.bad').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'compare.png'), fullPage: true });
    await page.close();
  });
});
