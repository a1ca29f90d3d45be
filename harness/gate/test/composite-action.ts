/**
 * Reads a composite GitHub Action and judges what the runner would do with it: which inputs its
 * expressions use, whether a script interpolates an expression, whether each `uses:` is pinned,
 * and, for one step, what its script actually runs, executed with bash and a stand-in program.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type ActionStep = {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'working-directory'?: string;
};

export type CompositeAction = {
  name?: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string; value?: string }>;
  runs: { using: string; steps: ActionStep[] };
};

export function loadAction(path: string): CompositeAction {
  return parse(readFileSync(path, 'utf8')) as CompositeAction;
}

const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g;
/** `inputs.name` or `inputs['name']` inside an expression. */
const INPUT_REFERENCE = /\binputs(?:\.([A-Za-z0-9_-]+)|\[\s*'([^']+)'\s*\])/g;
/** owner/repo[/path]@vN or @<40-hex commit>: a moving branch or a minor tag is not a pin to a major. */
const PINNED_USES = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_./-]+)?@(?:v\d+|[0-9a-f]{40})$/;

function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}

function inputsReferencedIn(text: string): string[] {
  return [...text.matchAll(EXPRESSION)].flatMap((expression) =>
    [...(expression[1] ?? '').matchAll(INPUT_REFERENCE)].map((reference) => reference[1] ?? reference[2] ?? ''),
  );
}

function stepLabel(step: ActionStep, index: number): string {
  return `step ${index + 1} (${step.name ?? step.id ?? step.uses ?? 'unnamed'})`;
}

/** The step that uploads an artifact, and the one that writes the job summary. */
export function reportingSteps(action: CompositeAction): { upload?: ActionStep; summary?: ActionStep } {
  const steps = action.runs.steps;
  return {
    upload: steps.find((step) => step.uses?.startsWith('actions/upload-artifact@')),
    summary: steps.find((step) => step.run?.includes('GITHUB_STEP_SUMMARY')),
  };
}

/** Every rule a composite action of ours keeps, as one message per broken rule (none: all kept). */
export function actionProblems(action: CompositeAction): string[] {
  const problems: string[] = [];
  if (action.runs?.using !== 'composite') problems.push(`runs.using is ${action.runs?.using}, not composite`);
  const declared = new Set(Object.keys(action.inputs ?? {}));
  for (const name of new Set(inputsReferencedIn(stringsIn(action).join('\n')))) {
    if (!declared.has(name)) problems.push(`inputs.${name} is used but not declared`);
  }
  action.runs.steps.forEach((step, index) => {
    // Everything a script needs arrives through env: an expression inside `run:` is pasted into
    // the script before bash parses it, so a value with quotes or $(...) would run as code.
    const pasted = step.run?.match(EXPRESSION);
    if (pasted) problems.push(`${stepLabel(step, index)} interpolates ${pasted.join(', ')} inside run:`);
    if (step.run !== undefined && step.shell === undefined) {
      problems.push(`${stepLabel(step, index)} has no shell: (a composite step needs one)`);
    }
    if (step.uses !== undefined && !PINNED_USES.test(step.uses)) {
      problems.push(`${stepLabel(step, index)} uses ${step.uses}, not pinned to a major version`);
    }
  });
  const { upload, summary } = reportingSteps(action);
  if (!upload) problems.push('no step uploads an artifact');
  else if (upload.if !== 'always()') problems.push(`the artifact upload runs if: ${upload.if ?? 'success()'}`);
  if (!summary) problems.push('no step writes $GITHUB_STEP_SUMMARY');
  else if (summary.if !== 'always()') problems.push(`the job summary runs if: ${summary.if ?? 'success()'}`);
  return problems;
}

export type ExpressionContext = {
  inputs: Record<string, string>;
  steps?: Record<string, Record<string, string>>;
  github?: Record<string, string>;
};

/** An env value as the runner would set it; an expression this helper does not know is an error. */
export function evaluate(value: string, context: ExpressionContext): string {
  return value.replace(EXPRESSION, (whole, body: string) => {
    const path = body.trim().split('.');
    if (path[0] === 'inputs' && path.length === 2) return context.inputs[path[1] ?? ''] ?? '';
    if (path[0] === 'steps' && path[2] === 'outputs' && path.length === 4) {
      return context.steps?.[path[1] ?? '']?.[path[3] ?? ''] ?? '';
    }
    if (path[0] === 'github' && path.length === 2 && context.github?.[path[1] ?? ''] !== undefined) {
      return context.github[path[1] ?? ''] ?? '';
    }
    throw new Error(`cannot evaluate ${whole} here`);
  });
}

export type StepRun = { status: number | null; stdout: string; stderr: string };

/**
 * Runs a `run:` step with bash as the runner would: its env evaluated, in `cwd`, plus `extraEnv`
 * (PATH, GITHUB_OUTPUT and the like, which the runner provides).
 */
export function runStep(
  step: ActionStep,
  context: ExpressionContext,
  cwd: string,
  extraEnv: Record<string, string>,
): StepRun {
  if (step.run === undefined) throw new Error('not a run: step');
  const env = Object.fromEntries(
    Object.entries(step.env ?? {}).map(([name, value]) => [name, evaluate(String(value), context)]),
  );
  // The runner's bash: `bash --noprofile --norc -eo pipefail {0}`.
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], {
    cwd,
    env: { ...extraEnv, ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `name=value` lines of a $GITHUB_OUTPUT file. */
export function readOutputs(path: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** Command-line arguments as option -> values (in order); a bare first argument is the command. */
export function optionsOf(argv: readonly string[]): { command: string | undefined; options: Map<string, string[]> } {
  const options = new Map<string, string[]>();
  const [command, ...rest] = argv;
  for (let index = 0; index < rest.length; index += 2) {
    const option = rest[index] ?? '';
    options.set(option, [...(options.get(option) ?? []), rest[index + 1] ?? '']);
  }
  return { command, options };
}
