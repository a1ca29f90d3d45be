/**
 * The Kubernetes Indexed Job and the GitHub Actions matrix that run a segmented run: their
 * fields the run relies on, checked by schema, and the participant script they both start,
 * run with a stand-in `npm` that records what it was asked to run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

const ROOT = new URL('../../', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'docker/segments/run-participant.sh');
const SEGMENTS = 4;

const EnvVar = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .object({
      fieldRef: z.object({ fieldPath: z.string() }).optional(),
      secretKeyRef: z.object({ name: z.string(), key: z.string() }).optional(),
    })
    .optional(),
});

const Pvc = z.object({
  apiVersion: z.literal('v1'),
  kind: z.literal('PersistentVolumeClaim'),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    accessModes: z
      .array(z.string())
      .refine((modes) => modes.includes('ReadWriteMany'), 'every pod writes its folder: ReadWriteMany'),
  }),
});

const IndexedJob = z.object({
  apiVersion: z.literal('batch/v1'),
  kind: z.literal('Job'),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    completionMode: z.literal('Indexed'),
    completions: z.number().int(),
    parallelism: z.number().int(),
    backoffLimit: z.literal(0),
    template: z.object({
      spec: z.object({
        restartPolicy: z.literal('Never'),
        containers: z
          .array(
            z.object({
              name: z.string(),
              image: z.string(),
              command: z.array(z.string()),
              env: z.array(EnvVar),
              volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() })),
            }),
          )
          .length(1),
        volumes: z.array(z.object({ name: z.string(), persistentVolumeClaim: z.object({ claimName: z.string() }) })),
      }),
    }),
  }),
});

describe('the Kubernetes Indexed Job', () => {
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'docker/segments/kubernetes-job.yaml'), 'utf8')).map(
    (doc) => doc.toJS() as unknown,
  );
  const pvc = Pvc.parse(docs.find((doc) => (doc as { kind?: string }).kind === 'PersistentVolumeClaim'));
  const job = IndexedJob.parse(docs.find((doc) => (doc as { kind?: string }).kind === 'Job'));
  const container = job.spec.template.spec.containers[0]!;
  const env = new Map(container.env.map((variable) => [variable.name, variable]));

  it('runs one pod per participant: the servers run and every segment', () => {
    expect(env.get('SEGMENTS')?.value).toBe(String(SEGMENTS));
    expect(job.spec.completions).toBe(SEGMENTS + 1);
    expect(job.spec.parallelism).toBe(job.spec.completions);
  });

  it('makes the completion index the participant, passes the start time in and takes the broker from a Secret', () => {
    expect(env.get('PARTICIPANT')?.valueFrom?.fieldRef?.fieldPath).toBe(
      "metadata.annotations['batch.kubernetes.io/job-completion-index']",
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's own substitution, checked as text
    expect(env.get('START_AT')?.value).toBe('${START_AT}');
    expect(env.get('AMQP_URL')?.valueFrom?.secretKeyRef).toEqual({ name: 'rpc-chaos-broker', key: 'AMQP_URL' });
    for (const name of ['SEED', 'SCENARIO', 'RESULTS']) expect(env.get(name)?.value, name).toBeTruthy();
  });

  it('writes results to the shared volume and merges them in the servers pod', () => {
    const mount = container.volumeMounts[0]!;
    expect(mount.mountPath).toBe(env.get('RESULTS')?.value);
    expect(
      job.spec.template.spec.volumes.find((volume) => volume.name === mount.name)?.persistentVolumeClaim.claimName,
    ).toBe(pvc.metadata.name);
    expect(env.get('MERGE')?.value).toBe('1');
    expect(container.command).toEqual(['sh', 'docker/segments/run-participant.sh']);
    expect(readFileSync(join(ROOT, 'docker/segments/Dockerfile'), 'utf8')).toContain('COPY . .');
  });
});

describe('the GitHub Actions matrix', () => {
  const workflow = z
    .object({
      jobs: z.object({
        plan: z.object({ outputs: z.record(z.string(), z.string()) }),
        segments: z.object({
          needs: z.literal('plan'),
          strategy: z.object({ 'fail-fast': z.literal(false), matrix: z.object({ participant: z.array(z.number()) }) }),
          env: z.record(z.string(), z.union([z.string(), z.number()])),
          steps: z.array(z.object({ run: z.string().optional(), uses: z.string().optional() })),
        }),
        merge: z.object({
          needs: z.literal('segments'),
          if: z.literal('always()'),
          steps: z.array(z.object({ run: z.string().optional(), uses: z.string().optional() })),
        }),
      }),
    })
    .parse(parse(readFileSync(join(ROOT, 'docker/segments/github-actions-matrix.yml'), 'utf8')));

  it('runs the servers run and every segment, all with one start time', () => {
    const { segments } = workflow.jobs;
    expect(segments.strategy.matrix.participant).toEqual([0, 1, 2, 3, 4]);
    expect(segments.env.SEGMENTS).toBe(SEGMENTS);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow's own expression, checked as text
    expect(segments.env.PARTICIPANT).toBe('${{ matrix.participant }}');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow's own expression, checked as text
    expect(segments.env.START_AT).toBe('${{ needs.plan.outputs.start-at }}');
    expect(segments.steps.map((step) => step.run)).toContain('sh docker/segments/run-participant.sh');
  });

  it("merges every participant's folder in a job of its own", () => {
    const runs = workflow.jobs.merge.steps.map((step) => step.run ?? '').join('\n');
    expect(runs).toContain('npm run report -- --merge results/segment-* results/servers');
  });
});

describe('the participant script', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-participant-'));
  const bin = join(dir, 'bin');
  const log = join(dir, 'npm.log');
  mkdirSync(bin);
  // Stands in for npm: records its arguments and, for a scenario run, leaves the folder a run leaves.
  writeFileSync(
    join(bin, 'npm'),
    `#!/bin/sh
echo "$*" >> "${log}"
out=""; prev=""
for arg in "$@"; do [ "$prev" = "--out" ] && out="$arg"; prev="$arg"; done
[ "$2" = scenario ] && mkdir -p "$out" && echo '{}' > "$out/segment.json"
exit 0
`,
  );
  chmodSync(join(bin, 'npm'), 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (participant: number, results: string, extra: Record<string, string> = {}) =>
    spawnSync('sh', [SCRIPT], {
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        PARTICIPANT: String(participant),
        SEGMENTS: String(SEGMENTS),
        START_AT: '2026-12-01T10:00:00Z',
        SEED: '42',
        SCENARIO: 'duplicate-reply',
        RESULTS: results,
        AMQP_URL: 'amqp://127.0.0.1:5672',
        EXTRA_ARGS: '--calls 2000',
        ...extra,
      },
      encoding: 'utf8',
    });
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);

  it('runs a clients segment k/K for participant k', () => {
    rmSync(log, { force: true });
    const results = join(dir, 'one');
    expect(run(2, results).status).toBe(0);
    expect(calls()).toEqual([
      'run scenario -- duplicate-reply --segment 2/4 --start-at 2026-12-01T10:00:00Z --seed 42 --broker url ' +
        `--out ${results}/segment-2 --calls 2000`,
    ]);
  });

  it('runs the servers run for participant 0 and merges once every segment has written its folder', () => {
    rmSync(log, { force: true });
    const results = join(dir, 'all');
    for (let k = 1; k <= SEGMENTS; k++) expect(run(k, results).status).toBe(0);
    expect(run(0, results, { MERGE: '1' }).status).toBe(0);
    const [servers, merge] = calls().slice(SEGMENTS);
    expect(servers).toBe(
      'run scenario -- duplicate-reply --role servers --segments 4 --start-at 2026-12-01T10:00:00Z --seed 42 ' +
        `--broker url --out ${results}/servers --calls 2000`,
    );
    expect(merge).toBe(
      `run report -- --merge ${[1, 2, 3, 4].map((k) => `${results}/segment-${k}`).join(' ')} ` +
        `${results}/servers --out ${results}/merged --overwrite`,
    );
  });

  it('stops waiting for a missing segment after MERGE_WAIT_S and lets the merge name it', () => {
    rmSync(log, { force: true });
    const results = join(dir, 'missing');
    expect(run(1, results).status).toBe(0);
    const started = Date.now();
    expect(run(0, results, { MERGE: '1', MERGE_WAIT_S: '0' }).status).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(calls().at(-1)).toContain(`--merge ${results}/segment-1 ${results}/servers`);
  });

  it('refuses a participant above the segment count', () => {
    const outcome = run(5, join(dir, 'none'));
    expect(outcome.status).toBe(2);
    expect(outcome.stderr).toContain('PARTICIPANT 5 is above SEGMENTS 4');
  });

  it('is valid POSIX sh', () => {
    expect(() => execFileSync('sh', ['-n', SCRIPT])).not.toThrow();
  });
});
