import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const WORKFLOW = fileURLToPath(new URL('../../.github/workflows/rpc-chaos-gate.yml', import.meta.url));

type Step = { uses?: string; with?: Record<string, unknown> };
type Job = { strategy?: { 'fail-fast'?: boolean; matrix?: { node?: unknown[] } }; steps: Step[] };

const job = (parse(readFileSync(WORKFLOW, 'utf8')) as { jobs: Record<string, Job | undefined> }).jobs['chaos-gate'];
if (!job) throw new Error(`${WORKFLOW} has no chaos-gate job`);
const stepsUsing = (action: string) => job.steps.filter((step) => step.uses?.startsWith(`${action}@`));

describe('the CI gate workflow runs on each Node.js line users run', () => {
  it('has a Node 20/22/24 matrix whose lines all run to the end', () => {
    expect(job.strategy?.matrix?.node?.map(String)).toEqual(['20', '22', '24']);
    expect(job.strategy?.['fail-fast']).toBe(false);
  });

  it('installs the matrix line of Node.js', () => {
    const setup = stepsUsing('actions/setup-node');
    expect(setup).toHaveLength(1);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow's own expression
    expect(setup[0]?.with?.['node-version']).toBe('${{ matrix.node }}');
  });

  it('keeps the lines apart where they would collide: baseline cache keys and report artifact names', () => {
    const cacheKeys = [...stepsUsing('actions/cache/restore'), ...stepsUsing('actions/cache/save')].flatMap((step) => [
      step.with?.key,
      ...(step.with?.['restore-keys'] === undefined ? [] : [step.with['restore-keys']]),
    ]);
    expect(cacheKeys).toHaveLength(3);
    for (const key of cacheKeys) expect(key).toContain('matrix.node');
    const artifacts = stepsUsing('actions/upload-artifact');
    expect(artifacts.length).toBeGreaterThan(0);
    for (const artifact of artifacts) expect(artifact.with?.name).toContain('matrix.node');
  });
});
