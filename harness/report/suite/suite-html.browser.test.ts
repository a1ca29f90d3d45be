import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../browser.ts';
import { openPage } from '../test/open-page.ts';
import { makeRunFolders, makeSyntheticSuite } from './test/synthetic-suite.ts';
import { writeSuiteReports } from './write-suite-reports.ts';

/** Full-page screenshots for a person to look at; .tmp/ is git-ignored. */
const SCREENSHOTS = resolve('.tmp/screenshots');
let browser: Browser;

/** index.html needs no script to be read: the load event is enough. */
const open = (file: string, colorScheme: 'light' | 'dark' = 'light', width = 1366) =>
  openPage(browser, file, { colorScheme, width });

/** How far the page scrolls sideways: 0 when it fits the window. */
function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

describe('index.html of a suite folder, in headless Chromium', { timeout: 60_000 }, () => {
  const suiteDir = mkdtempSync(join(tmpdir(), 'rpc-chaos-suite-html-'));
  const index = join(suiteDir, 'index.html');
  const suite = makeSyntheticSuite();

  beforeAll(() => {
    writeSuiteReports(suiteDir, suite);
    makeRunFolders(suiteDir, suite);
  });

  it('opens from disk with no console error and no request but the file itself', async () => {
    const { page, errors, requests } = await open(index);
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${index}`]);
    await page.screenshot({ path: join(SCREENSHOTS, 'suite-index-light.png'), fullPage: true });
    await page.close();
  });

  it('links every started cell to a report.html that exists, and no other cell', async () => {
    const { page } = await open(index);
    const links = await page.$$eval('td.cell a', (anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
    expect(links).toHaveLength(suite.cells.filter((cell) => cell.runDir !== undefined).length);
    for (const link of links) expect(existsSync(fileURLToPath(link)), link).toBe(true);
    expect(await page.locator('td.cell.not-run a').count()).toBe(0);
    // The link takes the reader there.
    await page.click('tr[data-scenario="partition"] td[data-status="fail"] a');
    await page.waitForURL(/partition\/report\.html$/);
    expect(await page.textContent('p')).toBe('fail');
    await page.close();
  });

  it('never scrolls sideways at 1366 px, the longest reason wrapped inside its cell', async () => {
    const { page } = await open(index);
    expect(await horizontalOverflow(page)).toBe(0);
    const widths = await page.$$eval('td.cell', (cells) => cells.map((cell) => cell.scrollWidth - cell.clientWidth));
    expect(Math.max(...widths)).toBeLessThanOrEqual(0);
    // The three columns share the width: none squeezed to a sliver by a long reason.
    const columns = await page.$$eval('thead th[data-implementation]', (ths) =>
      ths.map((th) => th.getBoundingClientRect().width),
    );
    expect(Math.min(...columns)).toBeGreaterThan(250);
    await page.close();
  });

  it('with many implementations, scrolls the matrix in its card, not the page', async () => {
    const many = makeSyntheticSuite({
      implementations: Array.from({ length: 9 }, (_, i) => ({ name: `impl-${i}`, expectedFailures: [] })),
    });
    const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-suite-wide-'));
    writeSuiteReports(dir, many);
    const { page, errors } = await open(join(dir, 'index.html'));
    expect(errors).toEqual([]);
    expect(await horizontalOverflow(page)).toBe(0);
    expect(await page.$eval('.matrix-scroll', (e) => e.scrollWidth > e.clientWidth)).toBe(true);
    await page.close();
  });

  it('follows prefers-color-scheme and switches with the toggle', async () => {
    const { page, errors } = await open(index, 'dark');
    const background = () => page.$eval('body', (b) => getComputedStyle(b).backgroundColor);
    expect(await background()).toBe('rgb(13, 17, 23)');
    await page.screenshot({ path: join(SCREENSHOTS, 'suite-index-dark.png'), fullPage: true });
    await page.click('#theme-toggle');
    expect(await background()).not.toBe('rgb(13, 17, 23)');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('writes a junit.xml that a browser parses as XML, with the counts its elements show', async () => {
    const { page } = await open(index);
    const parsed = await page.evaluate(
      (xml) => {
        const doc = new DOMParser().parseFromString(xml, 'application/xml');
        const root = doc.documentElement;
        const count = (name: string) => doc.getElementsByTagName(name).length;
        return {
          parseError: doc.getElementsByTagName('parsererror').length,
          root: root.nodeName,
          attributes: ['tests', 'failures', 'errors', 'skipped'].map((name) => Number(root.getAttribute(name))),
          elements: [count('testcase'), count('failure'), count('error'), count('skipped')],
          message: doc.querySelector('failure')?.getAttribute('message'),
        };
      },
      readFileSync(join(suiteDir, 'junit.xml'), 'utf8'),
    );
    expect(parsed.parseError).toBe(0);
    expect(parsed.root).toBe('testsuites');
    expect(parsed.attributes).toEqual(parsed.elements);
    expect(parsed.elements).toEqual([42, 2, 1, 3]);
    expect(parsed.message).toContain('call 15 <got> reply of call 16 & "x" | \'y\'');
    // The same parser does reject a broken document: the check above can fail.
    const broken = await page.evaluate(
      () =>
        new DOMParser()
          .parseFromString('<?xml version="1.0"?><a><b></a>', 'application/xml')
          .getElementsByTagName('parsererror').length,
    );
    expect(broken).toBeGreaterThan(0);
    await page.close();
  });
});
