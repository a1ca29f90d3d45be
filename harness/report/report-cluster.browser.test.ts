import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './browser.ts';
import { makeClusterResult } from './test/cluster-fixture.ts';
import { writeResult } from './result-io.ts';
import { writeReports } from './write-reports.ts';

const SCREENSHOTS = resolve('.tmp/screenshots');
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

/** The colour drawn at time `tS` in the middle of lane `lane` of the node chart, and the CSS colour of `cssVar`. */
function laneColour(
  page: Page,
  tS: number,
  lane: number,
  cssVar: string,
): Promise<{ drawn: number[]; expected: number[] }> {
  return page.evaluate(
    ([t, index, name]) => {
      const charts = (
        window as unknown as {
          rpcChaosCharts: {
            nodes: { valToPos(v: number, scale: string, canvas: boolean): number; ctx: CanvasRenderingContext2D };
            lanes: unknown[];
          };
        }
      ).rpcChaosCharts;
      const u = charts.nodes;
      const n = charts.lanes.length;
      const x = Math.round(u.valToPos(t as number, 'x', true));
      const y = Math.round(u.valToPos(n - (index as number) - 0.5, 'y', true));
      const drawn = Array.from(u.ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
      const probe = document.createElement('canvas').getContext('2d')!;
      probe.fillStyle = getComputedStyle(document.documentElement)
        .getPropertyValue(name as string)
        .trim();
      probe.fillRect(0, 0, 1, 1);
      return { drawn, expected: Array.from(probe.getImageData(0, 0, 1, 1).data.slice(0, 3)) };
    },
    [tS, lane, cssVar] as const,
  );
}

describe('report.html of a cluster run, in headless Chromium', { timeout: 90_000 }, () => {
  const runDir = mkdtempSync(join(tmpdir(), 'rpc-chaos-cluster-report-'));
  const file = join(runDir, 'report.html');

  beforeAll(() => {
    const result = makeClusterResult();
    writeResult(runDir, result);
    writeReports(runDir, result);
  });

  it(
    'draws one lane per node in the state each node was in, ' +
      'under the fault windows, with the impact in the header',
    async () => {
      const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(`file://${file}`);
      await page.waitForSelector('body[data-charts-drawn]', { timeout: 15_000 });
      expect(errors).toEqual([]);
      expect(await page.getAttribute('body', 'data-charts-drawn')).toBe('4');
      expect(await page.textContent('#fault-impact')).toContain('unavailability (worst fault)3.00 s');

      // Fault shading is translucent: the lane colour shows through, a little redder.
      const near = async (tS: number, lane: number, cssVar: string) => {
        const { drawn, expected } = await laneColour(page, tS, lane, cssVar);
        const distance = Math.max(...drawn.map((value, i) => Math.abs(value - expected[i]!)));
        expect(distance, `lane ${lane + 1} at ${tS} s: drew rgb(${drawn}), ${cssVar} is rgb(${expected})`).toBeLessThan(
          40,
        );
      };
      await near(5, 0, '--lane-leader');
      await near(5, 1, '--lane-up');
      await near(10, 2, '--lane-paused');
      await near(18, 1, '--lane-partitioned');
      await near(25, 0, '--lane-down');
      await near(25, 1, '--lane-leader');
      // And not everything is the same colour: a lane in one state is not near another's.
      const { drawn, expected } = await laneColour(page, 18, 1, '--lane-up');
      expect(Math.max(...drawn.map((value, i) => Math.abs(value - expected[i]!)))).toBeGreaterThan(40);

      await page.screenshot({ path: join(SCREENSHOTS, 'report-cluster-1366.png'), fullPage: true });
      await page.close();
    },
  );
});
