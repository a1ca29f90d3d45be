/**
 * The composite action users put in their own workflows (.github/actions/rpc-chaos/action.yml):
 * its rules checked on the YAML, each rule shown failing on a broken copy, and its suite, summary
 * and exit steps run with bash against a stand-in rpc-chaos that records its arguments.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ActionStep,
  type CompositeAction,
  actionProblems,
  loadAction,
  optionsOf,
  readOutputs,
  reportingSteps,
  runStep,
} from './test/composite-action.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ACTION = join(ROOT, '.github/actions/rpc-chaos/action.yml');
const action = loadAction(ACTION);

/** Each action input and the suite command's option it must reach. */
const OPTION_OF_INPUT = {
  'server-cmd': '--server-cmd',
  'client-cmd': '--client-cmd',
  scenarios: '--scenarios',
  gates: '--gate',
  implementations: '--implementations',
  out: '--out',
} as const;

const work = mkdtempSync(join(tmpdir(), 'rpc-chaos-action-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A stand-in rpc-chaos: writes its arguments, one per NUL-ended record, and exits with STAND_IN_EXIT. */
const standIn = join(work, 'rpc-chaos');
writeFileSync(standIn, '#!/bin/sh\nprintf "%s\\0" "$@" > "$ARGV_FILE"\nexit "$STAND_IN_EXIT"\n');
chmodSync(standIn, 0o755);

/** Inputs a user might give, with quotes, spaces, $(...) and backticks that must arrive as text. */
const HOSTILE_INPUTS = {
  'server-cmd': `python3 service/rpc_server.py --name "fib server" $(touch "${work}/pwned") \`touch "${work}/pwned2"\``,
  'client-cmd': "java -jar target/fib-client.jar --label 'it''s'",
  scenarios: 'duplicate-reply,late-reply',
  gates: '  errors==0\n\np99<250ms  \n"discarded.duplicate>=2"; touch pwned3',
  implementations: 'ci/impls.json',
  out: 'reports/suite one',
};

function copyOf(source: CompositeAction): CompositeAction {
  return structuredClone(source);
}

function stepWithId(from: CompositeAction, id: string): ActionStep {
  const step = from.runs.steps.find((candidate) => candidate.id === id);
  if (!step) throw new Error(`${ACTION} has no step with id ${id}`);
  return step;
}

/** Runs the suite step with `inputs` (the action's defaults for the rest) and returns what rpc-chaos got. */
function runSuiteStep(from: CompositeAction, inputs: Record<string, string>, exitCode = 0) {
  const defaults = Object.fromEntries(
    Object.entries(from.inputs ?? {}).map(([name, input]) => [name, String(input.default ?? '')]),
  );
  const dir = mkdtempSync(join(work, 'suite-step-'));
  const argvFile = join(dir, 'argv');
  const outputFile = join(dir, 'github-output');
  writeFileSync(outputFile, '');
  const run = runStep(
    stepWithId(from, 'suite'),
    { inputs: { ...defaults, ...inputs }, steps: { install: { bin: standIn } } },
    dir,
    {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GITHUB_OUTPUT: outputFile,
      ARGV_FILE: argvFile,
      STAND_IN_EXIT: String(exitCode),
    },
  );
  const argv = existsSync(argvFile) ? readFileSync(argvFile, 'utf8').split('\0').slice(0, -1) : [];
  return { run, dir, argv, ...optionsOf(argv), outputs: readOutputs(outputFile) };
}

/** What each input became on the command line, as problems (none: every input reached its option intact). */
function mappingProblems(from: CompositeAction): string[] {
  const { command, options, dir } = runSuiteStep(from, HOSTILE_INPUTS);
  const expected: Record<string, string[]> = {
    '--server-cmd': [HOSTILE_INPUTS['server-cmd']],
    '--client-cmd': [HOSTILE_INPUTS['client-cmd']],
    '--scenarios': [HOSTILE_INPUTS.scenarios],
    '--gate': ['errors==0', 'p99<250ms', '"discarded.duplicate>=2"; touch pwned3'],
    '--implementations': [HOSTILE_INPUTS.implementations],
    '--out': [join(dir, HOSTILE_INPUTS.out)],
  };
  const problems = command === 'suite' ? [] : [`rpc-chaos ran "${command}", not suite`];
  for (const [option, values] of Object.entries(expected)) {
    const got = options.get(option);
    if (JSON.stringify(got) !== JSON.stringify(values)) {
      problems.push(`${option} got ${JSON.stringify(got)}, expected ${JSON.stringify(values)}`);
    }
  }
  for (const option of options.keys()) {
    if (!(option in expected)) problems.push(`unexpected option ${option}`);
  }
  for (const marker of ['pwned', 'pwned2', 'pwned3']) {
    if (existsSync(join(work, marker)) || existsSync(join(dir, marker))) problems.push(`an input ran: ${marker}`);
  }
  return problems;
}

describe('the rpc-chaos composite action', () => {
  it('keeps every rule: composite, declared inputs, no expression inside run:, pinned uses, reports always', () => {
    expect(actionProblems(action)).toEqual([]);
  });

  it('declares the inputs the issue names, and outputs for the suite folder and the exit code', () => {
    expect(Object.keys(action.inputs ?? {})).toEqual(expect.arrayContaining(Object.keys(OPTION_OF_INPUT)));
    expect(action.outputs?.['suite-dir']?.value).toMatch(/steps\.suite\.outputs\.suite-dir/);
    expect(action.outputs?.['exit-code']?.value).toMatch(/steps\.suite\.outputs\.exit-code/);
  });

  it('sets up Node.js with the node-version input and uploads the suite folder the suite step names', () => {
    const setup = action.runs.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the action's own expression
    expect(setup?.with?.['node-version']).toBe('${{ inputs.node-version }}');
    expect(reportingSteps(action).upload?.with?.path).toMatch(/^\$\{\{ steps\.suite\.outputs\.suite-dir\b/);
  });

  it('installs RabbitMQ and pika from the distribution and stops the system service (the harness runs its own)', () => {
    const install = action.runs.steps.map((step) => step.run ?? '').join('\n');
    expect(install).toMatch(/apt-get install -y[^\n]* rabbitmq-server python3-pika/);
    expect(install).toMatch(/systemctl stop rabbitmq-server/);
  });
});

describe('each rule fails on an action that breaks it', () => {
  const broken = (change: (copy: CompositeAction) => void) => {
    const copy = copyOf(action);
    change(copy);
    return actionProblems(copy);
  };

  it('a Docker or JavaScript action', () => {
    expect(broken((copy) => (copy.runs.using = 'node20'))).toContain('runs.using is node20, not composite');
  });

  it('an input used but not declared', () => {
    expect(broken((copy) => delete copy.inputs?.gates)).toContain('inputs.gates is used but not declared');
  });

  it('an input pasted into a script', () => {
    const problems = broken((copy) => {
      const suite = stepWithId(copy, 'suite');
      suite.run = `rpc-chaos suite --server-cmd "\${{ inputs.server-cmd }}"`;
    });
    expect(problems.join('\n')).toMatch(/Run the rpc-chaos suite\) interpolates \$\{\{ inputs\.server-cmd \}\}/);
  });

  it('an action that is not pinned to a major version', () => {
    for (const ref of ['main', 'v4.1.0', '4']) {
      const problems = broken((copy) => {
        const upload = reportingSteps(copy).upload;
        if (upload) upload.uses = `actions/upload-artifact@${ref}`;
      });
      expect(problems).toContain(
        `step 5 (Upload the suite folder) uses actions/upload-artifact@${ref}, not pinned to a major version`,
      );
    }
  });

  it('an artifact upload or job summary that a failed suite would skip', () => {
    expect(broken((copy) => delete reportingSteps(copy).upload?.if)).toContain(
      'the artifact upload runs if: success()',
    );
    expect(
      broken((copy) => {
        const summary = reportingSteps(copy).summary;
        if (summary) summary.if = 'success()';
      }),
    ).toContain('the job summary runs if: success()');
  });

  it('an input sent to the wrong option, or an input that runs as code', () => {
    expect(mappingProblems(action)).toEqual([]);
    const swapped = copyOf(action);
    const suite = stepWithId(swapped, 'suite');
    suite.run = suite.run?.replace('--server-cmd "$SERVER_CMD"', '--client-cmd "$SERVER_CMD"');
    expect(mappingProblems(swapped).join('\n')).toMatch(/--server-cmd got undefined/);
    const unquoted = copyOf(action);
    const unquotedSuite = stepWithId(unquoted, 'suite');
    unquotedSuite.run = unquotedSuite.run?.replace('"$RPC_CHAOS" ', 'eval "$RPC_CHAOS" ');
    expect(mappingProblems(unquoted).join('\n')).toMatch(/an input ran: pwned/);
  });
});

describe('the suite step', () => {
  it('passes a tag as --tag, and leaves out what is empty so the built-ins run', () => {
    const { command, options } = runSuiteStep(action, { scenarios: 'tag:fast' });
    expect(command).toBe('suite');
    expect([...options.keys()]).toEqual(['--out', '--tag']);
    expect(options.get('--tag')).toEqual(['fast']);
  });

  it('succeeds whatever the suite exits with and hands that code on, with the absolute suite folder', () => {
    for (const code of [0, 1, 2]) {
      const { run, outputs, dir } = runSuiteStep(action, {}, code);
      expect(run.status, run.stderr).toBe(0);
      expect(outputs['exit-code']).toBe(String(code));
      expect(outputs['suite-dir']).toBe(join(dir, 'rpc-chaos-suite'));
    }
  });

  it('passes only options the suite command declares', () => {
    // The suite command's own help lists its options; an action option it does not know fails the job.
    const help = spawnSync(process.execPath, [join(ROOT, 'harness/build/launch.mjs'), 'suite', '--help'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(help.status, `rpc-chaos suite --help failed:\n${help.stdout}${help.stderr}`).toBe(0);
    const declared = new Set(help.stdout.match(/--[a-z][a-z-]*/g));
    const { options } = runSuiteStep(action, { ...HOSTILE_INPUTS, scenarios: 'tag:fast' });
    const passed = [...new Set([...runSuiteStep(action, HOSTILE_INPUTS).options.keys(), ...options.keys()])];
    expect(passed.filter((option) => !declared.has(option))).toEqual([]);
    expect(passed.sort()).toEqual([...Object.values(OPTION_OF_INPUT), '--tag'].sort());
  });
});

describe('the install step', () => {
  /** A stand-in npm: logs where and how it ran, packs an empty tarball, installs the command unless told not to. */
  const npmDir = mkdtempSync(join(work, 'npm-'));
  writeFileSync(
    join(npmDir, 'npm'),
    [
      '#!/bin/sh',
      'echo "$PWD: npm $*" >> "$NPM_LOG"',
      'case "$1" in',
      '  pack) touch "$3/rpc-chaos-9.9.9.tgz" ;;',
      '  install) if [ -z "$NO_BIN" ]; then mkdir -p node_modules/.bin && touch node_modules/.bin/rpc-chaos &&',
      '    chmod +x node_modules/.bin/rpc-chaos; fi ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(join(npmDir, 'npm'), 0o755);

  function install(rpcChaosPackage: string, noBin = false, prepare?: (workspace: string) => void) {
    const runner = mkdtempSync(join(work, 'runner-'));
    prepare?.(runner);
    const files = { log: join(runner, 'npm.log'), output: join(runner, 'output'), path: join(runner, 'path') };
    for (const file of Object.values(files)) writeFileSync(file, '');
    const actionPath = join(runner, 'action-checkout/.github/actions/rpc-chaos');
    mkdirSync(actionPath, { recursive: true });
    const run = runStep(
      stepWithId(action, 'install'),
      { inputs: { 'rpc-chaos-package': rpcChaosPackage }, github: { action_path: actionPath } },
      runner,
      {
        PATH: `${npmDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        RUNNER_TEMP: runner,
        GITHUB_OUTPUT: files.output,
        GITHUB_PATH: files.path,
        NPM_LOG: files.log,
        ...(noBin ? { NO_BIN: '1' } : {}),
      },
    );
    const read = (file: string) => readFileSync(file, 'utf8');
    return { run, runner, npm: read(files.log), outputs: readOutputs(files.output), path: read(files.path) };
  }

  it("packs the action's own repository and installs that tarball into a tools folder on PATH", () => {
    const { run, runner, npm, outputs, path } = install('');
    expect(run.status, run.stderr).toBe(0);
    const tools = join(runner, 'rpc-chaos');
    expect(npm.split('\n').filter(Boolean)).toEqual([
      `${join(runner, 'action-checkout')}: npm ci --no-audit --no-fund`,
      `${join(runner, 'action-checkout')}: npm pack --pack-destination ${tools}/pack`,
      `${tools}: npm install --no-audit --no-fund ${tools}/pack/rpc-chaos-9.9.9.tgz`,
    ]);
    expect(outputs.bin).toBe(join(tools, 'node_modules/.bin/rpc-chaos'));
    expect(path.trim()).toBe(join(tools, 'node_modules/.bin'));
  });

  it('installs the rpc-chaos-package input instead when it is given', () => {
    const { run, npm } = install('rpc-chaos@0.2.0');
    expect(run.status, run.stderr).toBe(0);
    expect(npm).not.toMatch(/npm (ci|pack)/);
    expect(npm).toMatch(/npm install --no-audit --no-fund rpc-chaos@0\.2\.0\n/);
  });

  it('resolves a tarball path given relative to the workspace', () => {
    const { run, runner, npm } = install('./rpc-chaos-0.2.0.tgz', false, (workspace) =>
      writeFileSync(join(workspace, 'rpc-chaos-0.2.0.tgz'), ''),
    );
    expect(run.status, run.stderr).toBe(0);
    expect(npm).toMatch(new RegExp(`npm install --no-audit --no-fund ${join(runner, 'rpc-chaos-0.2.0.tgz')}\\n`));
  });

  it('fails, saying so, when the package installs no rpc-chaos command', () => {
    const { run, outputs } = install('some-other-package', true);
    expect(run.status).toBe(2);
    expect(run.stdout).toMatch(/::error::some-other-package installed no rpc-chaos command/);
    expect(outputs.bin).toBeUndefined();
  });
});

describe('the summary and exit steps', () => {
  const summaryStep = reportingSteps(action).summary;
  const exitStep = action.runs.steps.at(-1);

  function summaryFor(suiteDir: string): { status: number | null; summary: string } {
    if (!summaryStep) throw new Error('no summary step');
    const summaryFile = join(mkdtempSync(join(work, 'summary-')), 'step-summary.md');
    writeFileSync(summaryFile, '');
    const run = runStep(summaryStep, { inputs: {}, steps: { suite: { 'suite-dir': suiteDir } } }, work, {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GITHUB_STEP_SUMMARY: summaryFile,
    });
    return { status: run.status, summary: readFileSync(summaryFile, 'utf8') };
  }

  it('appends the suite folder summary.md to the job summary', () => {
    const suiteDir = mkdtempSync(join(work, 'suite-'));
    writeFileSync(join(suiteDir, 'summary.md'), '| scenario | fib |\n|---|---|\n| duplicate-reply | pass |\n');
    expect(summaryFor(suiteDir)).toEqual({
      status: 0,
      summary: '| scenario | fib |\n|---|---|\n| duplicate-reply | pass |\n',
    });
  });

  it('says so, without failing again, when the suite wrote no summary', () => {
    const { status, summary } = summaryFor(join(work, 'never-written'));
    expect(status).toBe(0);
    expect(summary).toMatch(/no summary\.md in '.*never-written'/);
  });

  it('fails the job with the suite exit code, and with 2 when the suite never ran', () => {
    if (!exitStep) throw new Error('no steps');
    const exitWith = (code: string) =>
      runStep(exitStep, { inputs: {}, steps: { suite: { 'exit-code': code } } }, work, {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
      }).status;
    expect(exitWith('0')).toBe(0);
    expect(exitWith('1')).toBe(1);
    expect(exitWith('130')).toBe(130);
    expect(exitWith('')).toBe(2);
  });
});
