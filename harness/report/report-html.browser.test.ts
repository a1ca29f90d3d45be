import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { openPage } from './test/open-page.ts';
import { renderCompareHtml } from './html/render-compare.ts';
import { writeResult } from './result-io.ts';
import { makeLargeSyntheticResult, makeSyntheticResult } from '../bench/synthetic-result.ts';
import { writeReports } from './write-reports.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import type { TapFrame } from '../model/tap-observations.ts';

/** Full-page screenshots for a person to look at; .tmp/ is git-ignored. */
const SCREENSHOTS = resolve('.tmp/screenshots');
let browser: Browser;

/** Opens a report once its charts are drawn. */
const open = (file: string, options: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {}) =>
  openPage(browser, file, { ...options, readySelector: 'body[data-charts-drawn]' });

/** The synthetic run as a client that died on its first duplicate reply would leave it. */
function diedOnDuplicate(result: ScenarioResult): ScenarioResult {
  const failure = 'RPC channel is closed: unexpected reply with correlation id c-94';
  return {
    ...result,
    verdict: 'fail',
    environment: {
      ...result.environment,
      implementations: { server: 'builtin', client: 'command: python3 dying-rpc-client-driver.py' },
    },
    timeline: {
      ...result.timeline,
      events: [
        ...result.timeline.events,
        {
          tMs: 938,
          kind: 'duplicate-delivered' as const,
          process: 'client-1',
          detail: 'duplicate reply delivered to client-1',
        },
      ].sort((a, b) => a.tMs - b.tMs),
    },
    checks: [
      {
        id: 'kept-working-after-stale-replies',
        title: 'Clients kept working after every stale, duplicate or unknown reply they received',
        passed: false,
        expectation: 'calls after each stale reply succeed as often as before it',
        actual:
          'client-1: after a duplicate reply delivered to client-1 at 0.938 s, 0 % (0 of 410) of the calls it ' +
          `started until 5.000 s succeeded; first failed call after it: at 0.950 s: "${failure}"`,
      },
      ...result.checks,
    ],
    errorGroups: {
      groups: [
        {
          process: 'client-1',
          pattern: 'RPC channel is closed: <id>',
          example: failure,
          count: 410,
          firstTMs: 950,
          lastTMs: 4_990,
        },
        { process: 'client-1', pattern: 'timeout', example: 'timeout', count: 3, firstTMs: 940, lastTMs: 944 },
      ],
      ungrouped: [],
    },
  };
}

/** True when a chart's canvas has a size and pixels that differ from its first pixel: something was drawn. */
function canvasHasDrawing(page: Page, selector: string): Promise<boolean> {
  return page.$eval(selector, (element) => {
    const canvas = element.querySelector('canvas');
    if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let differing = 0;
    for (let i = 4; i < pixels.length; i += 4) {
      if (pixels[i + 3] !== pixels[3] || pixels[i] !== pixels[0] || pixels[i + 1] !== pixels[1]) differing++;
    }
    return differing > 500;
  });
}

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

describe('report.html of a duplicate-reply run, in headless Chromium', { timeout: 90_000 }, () => {
  const runDir = mkdtempSync(join(tmpdir(), 'rpc-chaos-report-'));
  const file = join(runDir, 'report.html');
  const result = makeSyntheticResult();

  beforeAll(() => {
    writeResult(runDir, result);
    writeReports(runDir, result);
  });

  it('opens from disk with no console error and no request but the file itself', async () => {
    const { page, errors, requests } = await open(file);
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${file}`]);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-light-1366.png'), fullPage: true });
    await page.close();
  });

  it('draws all three charts: spectrum, latency over time, throughput over time', async () => {
    const { page } = await open(file);
    expect(await page.getAttribute('body', 'data-charts-drawn')).toBe('3');
    for (const chart of ['#chart-spectrum', '#chart-latency', '#chart-throughput']) {
      expect(await canvasHasDrawing(page, chart), chart).toBe(true);
    }
    await page.close();
  });

  it('labels the spectrum x axis by percentile on the log 1/(1-p) scale', async () => {
    const { page } = await open(file);
    const labels = await page.evaluate(
      () =>
        (window as unknown as { rpcChaosCharts: { spectrum: { axes: Array<{ _values: string[] }> } } }).rpcChaosCharts
          .spectrum.axes[0]!._values,
    );
    expect(labels.slice(0, 5)).toEqual(['0%', '50%', '90%', '99%', '99.9%']);
    await page.close();
  });

  it('shows the verdict, the environment, and checks and gates with their numbers', async () => {
    const { page } = await open(file);
    expect(await page.textContent('#verdict')).toBe('PASS');
    const environment = await page.textContent('#environment');
    for (const fact of [
      'local RabbitMQ 3.10.8',
      'callback-queue',
      'builtin proxy 2.12.0',
      'v20.20.2',
      'rpc-chaos 0.1.0',
      'on, 100 % sampled',
    ])
      expect(environment).toContain(fact);
    expect(await page.locator('#checks tbody tr').count()).toBe(result.checks.length);
    expect(await page.textContent('#checks')).toContain('killed at the fault point 2, duplicates discarded 2');
    expect(await page.locator('#gates tbody tr').count()).toBe(result.gates.length);
    expect(await page.textContent('#counters')).toContain('duplicates discarded');
    // A passing run opens with its numbers: no diagnosis, no error groups.
    expect(await page.locator('#diagnosis').count()).toBe(0);
    expect(await page.locator('#error-groups').count()).toBe(0);
    await page.close();
  });

  it('opens a failed run with why it failed, and lists the failed calls by error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-report-failed-'));
    writeReports(dir, diedOnDuplicate(result));
    const { page, errors } = await open(join(dir, 'report.html'));
    expect(errors).toEqual([]);
    const diagnosis = page.locator('#diagnosis');
    expect(await diagnosis.locator('h2').textContent()).toBe('Why it failed');
    expect(await diagnosis.textContent()).toContain(
      'check failed: Clients kept working after every stale, duplicate or unknown reply they received',
    );
    expect(await diagnosis.textContent()).toContain(
      '410 calls failed in client-1 with "RPC channel is closed: unexpected reply with correlation id c-94"; ' +
        'the first failed 12 ms after a duplicate reply reached client-1',
    );
    // It comes first, above the checks.
    const [diagnosisTop, checksTop] = await Promise.all(
      ['#diagnosis', '#checks'].map((selector) => page.$eval(selector, (e) => e.getBoundingClientRect().top)),
    );
    expect(diagnosisTop).toBeLessThan(checksTop!);
    expect(await page.locator('#error-groups tbody tr').count()).toBe(2);
    expect(await page.textContent('#counters')).toContain('duplicates delivered');
    await page.screenshot({ path: join(SCREENSHOTS, 'report-failed-light-1366.png'), fullPage: true });
    await page.close();
  });

  it('shades fault windows, draws the instantaneous fault as a line and lists every fault', async () => {
    const { page } = await open(file);
    expect(await page.locator('#fault-list tbody tr').count()).toBe(result.faults.length);
    expect(await page.textContent('#fault-list')).toContain('at 24 s');
    // Inside a fault window the plot is shaded; well outside it, it is not.
    const shading = await page.evaluate(() => {
      type Plot = {
        valToPos(v: number, scale: string, canvasPixels: boolean): number;
        bbox: { top: number };
        ctx: CanvasRenderingContext2D;
      };
      const charts = (
        window as unknown as {
          rpcChaosCharts: { latency: Plot; faults: Array<{ startS: number; endS: number }>; markersDrawn(): number };
        }
      ).rpcChaosCharts;
      const pixel = (s: number) =>
        Array.from(
          charts.latency.ctx.getImageData(
            Math.round(charts.latency.valToPos(s, 'x', true)),
            Math.round(charts.latency.bbox.top + 60),
            1,
            1,
          ).data,
        );
      const first = charts.faults[0]!;
      return {
        windows: charts.faults.length,
        inside: pixel((first.startS + first.endS) / 2),
        outside: pixel(first.startS / 3),
        markers: charts.markersDrawn(),
      };
    });
    expect(shading.windows).toBe(3);
    expect(shading.inside).not.toEqual(shading.outside);
    expect(shading.inside[0]!).toBeGreaterThan(shading.inside[2]!); // reddish
    expect(shading.markers).toBeGreaterThan(5);
    await page.close();
  });

  it('shows the duplicate reply as a waterfall grouped by process, the kill and the discard marked', async () => {
    const { page } = await open(file);
    expect(
      await page
        .locator('#waterfall .wf-proc')
        .evaluateAll((groups) => groups.map((g) => g.getAttribute('data-process'))),
    ).toEqual(['client-1', 'server-1', 'server-2']);
    expect(await page.locator('#waterfall .wf-row').count()).toBe(6);
    expect(await page.locator('#waterfall .wf-row.error').textContent()).toContain('killed before ack');
    const discard = page.locator('#waterfall .wf-row.discard');
    expect(await discard.count()).toBe(1);
    expect(await discard.textContent()).toContain('duplicate reply discarded');
    expect(await page.textContent('#waterfall')).toContain('(redelivered)');
    await page.close();
  });

  it('switches between light and dark and redraws the charts in the new colours', async () => {
    const { page, errors } = await open(file, { colorScheme: 'light' });
    const background = () => page.$eval('body', (b) => getComputedStyle(b).backgroundColor);
    const before = await background();
    await page.click('#theme-toggle');
    expect(await background()).not.toBe(before);
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await canvasHasDrawing(page, '#chart-latency')).toBe(true);
    await page.click('#theme-toggle');
    expect(await background()).toBe(before);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('follows prefers-color-scheme and fits a 1920x1080 screen', async () => {
    const { page, errors } = await open(file, { colorScheme: 'dark', width: 1920, height: 1080 });
    expect(await page.$eval('body', (b) => getComputedStyle(b).backgroundColor)).toBe('rgb(13, 17, 23)');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1920);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-dark-1920.png'), fullPage: true });
    await page.close();
  });

  it('redraws with a log latency axis on request', async () => {
    const { page, errors } = await open(file);
    await page.check('input[data-log="spectrum"]');
    await page.check('input[data-log="latency"]');
    expect(await canvasHasDrawing(page, '#chart-spectrum')).toBe(true);
    expect(await canvasHasDrawing(page, '#chart-latency')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says plainly when a run has no duplicate reply to show', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-report-empty-'));
    const base = makeSyntheticResult({ traces: {} }, { durationSec: 5 });
    const none = { ...base.counters, discarded: { ...base.counters.discarded, duplicate: 0 } };
    writeReports(dir, { ...base, counters: none });
    const { page, errors } = await open(join(dir, 'report.html'));
    expect(errors).toEqual([]);
    expect(await page.textContent('#waterfall-empty')).toContain('No duplicate reply in this run');
    await page.close();
    // Duplicates counted but no trace of one kept: never "no duplicate reply".
    writeReports(dir, base);
    const again = await open(join(dir, 'report.html'));
    expect(await again.page.textContent('#waterfall-empty')).toContain(
      `${base.counters.discarded.duplicate} duplicate replies reached a client`,
    );
    await again.page.close();
  });

  it("draws an external implementation's duplicate from the frame taps' frames, the kill and the duplicate marked", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-report-tap-'));
    const base = makeSyntheticResult({ traces: {} }, { durationSec: 5 });
    const frame = (tMs: number, process: string, step: TapFrame['step'], label: string) => ({
      tMs,
      process,
      step,
      label,
    });
    const frames: TapFrame[] = [
      frame(917, 'client-1', 'publish', 'request published by client-1'),
      frame(1091, 'server-1', 'deliver', 'delivered to server-1'),
      frame(1093, 'server-1', 'publish', "server-1's reply"),
      frame(1093, 'server-1', 'held', 'server-1 held before its ack'),
      frame(1120, 'server-1', 'kill', 'server-1 killed'),
      frame(1131, 'client-1', 'deliver', 'reply delivered to client-1'),
      { ...frame(1132, 'server-3', 'deliver', 'redelivered to server-3'), redelivered: true },
      frame(1136, 'server-3', 'publish', "server-3's reply"),
      frame(1136, 'client-1', 'deliver', 'duplicate reply delivered to client-1'),
    ];
    const connections = [{ process: 'client-1', established: 1, lost: 0, reestablished: 0, failedAttempts: 0 }];
    writeReports(dir, { ...base, tap: { connections, duplicateReplyFrames: { correlationId: 'c-17', frames } } });
    const { page, errors } = await open(join(dir, 'report.html'));
    expect(errors).toEqual([]);
    const rows = page.locator('#waterfall[data-source="frame-tap"] .wf-row');
    expect(await rows.count()).toBe(frames.length);
    expect(await page.locator('#waterfall .wf-row.discard').textContent()).toContain(
      'duplicate reply delivered to client-1',
    );
    expect(await page.locator('#waterfall .wf-row.error').count()).toBe(2);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.locator('#waterfall').screenshot({ path: join(SCREENSHOTS, 'report-tap-waterfall.png') });
    await page.close();
  });
});

describe('report.html of a 10-minute run at 500 calls/s', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-report-large-'));
  const result = makeLargeSyntheticResult();

  it('stays under 2 MB, caps the timeline table with a note, and draws every chart', async () => {
    writeReports(dir, result);
    const file = join(dir, 'report.html');
    expect(statSync(file).size).toBeLessThan(2_000_000);
    const { page, errors, requests } = await open(file);
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(await page.getAttribute('body', 'data-charts-drawn')).toBe('3');
    expect(await page.locator('#timeline tbody tr').count()).toBe(500);
    expect(await page.textContent('#timeline-note')).toContain(
      `Showing the first 500 of ${result.timeline.events.length.toLocaleString('en-US')} events`,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'report-large-1366.png'), fullPage: true });
    await page.close();
  });
});

describe('compare.html in headless Chromium', { timeout: 90_000 }, () => {
  const file = join(mkdtempSync(join(tmpdir(), 'rpc-chaos-compare-')), 'compare.html');

  beforeAll(() => {
    const before = makeSyntheticResult({}, { durationSec: 10, medianMs: 2 });
    const after = makeSyntheticResult({}, { durationSec: 10, medianMs: 3, seed: 9 });
    const later = {
      ...after.run,
      id: 'duplicate-reply-2026-11-26T09-30-00-000Z',
      startedAt: '2026-11-26T09:30:00.000Z',
      endedAt: '2026-11-26T09:30:13.200Z',
    };
    writeFileSync(file, renderCompareHtml(before, { ...after, run: later }));
  });

  it('opens offline, draws both spectra on one chart and colours worse deltas', async () => {
    const { page, errors, requests } = await open(file);
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${file}`]);
    expect(await canvasHasDrawing(page, '#chart-compare')).toBe(true);
    expect(await page.locator('#chart-compare .u-series').count()).toBe(3); // x plus A and B
    expect(await page.locator('#compare-latency td.bad').count()).toBeGreaterThan(0);
    expect(await page.textContent('#compare-latency')).toContain('p99.9');
    expect(await page.locator('#compare-verdicts tbody tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'compare-light-1366.png'), fullPage: true });
    await page.click('#theme-toggle');
    expect(await canvasHasDrawing(page, '#chart-compare')).toBe(true);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'compare-dark-1366.png'), fullPage: true });
    await page.close();
  });
});
