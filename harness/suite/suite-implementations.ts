/**
 * The columns of a suite: implementations from `--server-cmd` / `--client-cmd` (one column), or
 * from an implementations file (several side by side), or the built-ins. A file lists
 * `{ name, serverCommand?, clientCommand?, expectedFailures?: [{ scenario, reason }] }`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { closestName } from '../closest-name.ts';
import { SuiteImplementationSchema, type SuiteImplementation } from '../model/suite-schema.ts';

/** Implementation names become folder names in the suite folder. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

const FileSchema = z
  .array(
    SuiteImplementationSchema.extend({
      name: z
        .string()
        .regex(NAME, 'letters, digits, ".", "_", "+" or "-", at most 64, starting with a letter or digit'),
    }).strict(),
  )
  .min(1, 'lists no implementation');

export function readImplementationsFile(file: string, scenarioNames: readonly string[]): SuiteImplementation[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the implementations file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`the implementations file ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = FileSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
    throw new Error(
      `the implementations file ${file} is invalid:\n  - ${problems.join('\n  - ')}\n` +
        'expected: [{ "name": "my-service", "serverCommand": "…", "clientCommand": "…", ' +
        '"expectedFailures": [{ "scenario": "blackhole", "reason": "…" }] }]',
    );
  }
  const problems = implementationProblems(parsed.data, scenarioNames);
  if (problems.length > 0)
    throw new Error(`the implementations file ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  return parsed.data;
}

/** Duplicate names and expected failures of scenarios that do not exist. */
export function implementationProblems(
  implementations: readonly SuiteImplementation[],
  scenarioNames: readonly string[],
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [index, implementation] of implementations.entries()) {
    if (seen.has(implementation.name)) problems.push(`[${index}].name: "${implementation.name}" is listed twice`);
    seen.add(implementation.name);
    for (const [failure, expected] of implementation.expectedFailures.entries()) {
      if (scenarioNames.includes(expected.scenario)) continue;
      const near = closestName(expected.scenario, scenarioNames);
      problems.push(
        `[${index}].expectedFailures[${failure}].scenario: "${expected.scenario}" is not a scenario` +
          (near ? ` (did you mean "${near}"?)` : ''),
      );
    }
  }
  return problems;
}

/** The one column `--server-cmd` / `--client-cmd` make, named after their programs unless `--name` says. */
export function implementationFromCommands(options: {
  serverCommand?: string;
  clientCommand?: string;
  name?: string;
}): SuiteImplementation {
  const { serverCommand, clientCommand } = options;
  const derived =
    [serverCommand, clientCommand]
      .filter((command): command is string => command !== undefined)
      .map(programName)
      .join('+') || 'builtin';
  const name = options.name ?? derived;
  if (!NAME.test(name))
    throw new Error(`--name "${name}": use letters, digits, ".", "_", "+" or "-" (it names a folder), at most 64`);
  return {
    name,
    ...(serverCommand ? { serverCommand } : {}),
    ...(clientCommand ? { clientCommand } : {}),
    expectedFailures: [],
  };
}

/** "python3 path/to/rpc_server.py --x" -> "rpc_server": the script or program the command runs. */
export function programName(command: string): string {
  const words = command.trim().split(/\s+/);
  const script = words.find((word) => /\.(py|js|mjs|ts|rb|jar|sh|php|exe)$/.test(word)) ?? words[0] ?? 'command';
  const name = basename(script)
    .replace(/\.[^.]+$/, '')
    .replace(/[^A-Za-z0-9._-]/g, '-');
  return NAME.test(name) ? name : 'command';
}
