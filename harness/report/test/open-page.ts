import type { Browser, Page } from 'playwright-core';

export interface OpenedPage {
  readonly page: Page;
  /** Console errors and uncaught exceptions. */
  readonly errors: string[];
  /** Every URL the page requested, itself included. */
  readonly requests: string[];
}

/**
 * Opens a file in a fresh page, collecting console errors and every request the page makes;
 * waits for `readySelector` when given (e.g. charts drawn), else for the load event.
 */
export async function openPage(
  browser: Browser,
  file: string,
  options: { colorScheme?: 'light' | 'dark'; width?: number; height?: number; readySelector?: string } = {},
): Promise<OpenedPage> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1366, height: options.height ?? 768 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(`file://${file}`, { waitUntil: 'load' });
  if (options.readySelector) await page.waitForSelector(options.readySelector, { timeout: 15_000 });
  return { page, errors, requests };
}
