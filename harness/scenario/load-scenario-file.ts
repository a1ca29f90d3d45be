/**
 * A scenario given by path (`npm run scenario -- ./my-scenario.ts`): imported (TypeScript
 * through tsx, also when the runner itself runs compiled), its default export checked for shape and then validated
 * like a built-in scenario, so users add scenarios without editing scenarios/index.ts.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateScenario, type InvalidScenarioError, type ScenarioDefinition } from './define-scenario.ts';

/** A scenario argument that names a file rather than a built-in scenario. */
export function isScenarioPath(argument: string): boolean {
  return argument.includes('/') || /\.(ts|mts|js|mjs)$/.test(argument);
}

export async function loadScenarioFile(path: string): Promise<ScenarioDefinition> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new Error(`scenario file ${path} does not exist (resolved to ${absolute})`);
  let module: { default?: unknown };
  try {
    module = (await importModule(absolute)) as { default?: unknown };
  } catch (error) {
    // defineScenario in the file refused it: the same problems validateScenario lists below.
    const problems = invalidScenarioProblems(error);
    if (problems) throw new Error(`scenario file ${path} is invalid:\n  - ${problems.join('\n  - ')}`);
    throw new Error(`scenario file ${path} could not be loaded: ${(error as Error).message}`);
  }
  // A .ts file outside an ES-module package is compiled as CommonJS, and importing that wraps
  // its `export default` once more: { default: { default: scenario } }.
  const definition = unwrapDefault(module.default);
  const shapeErrors = shapeProblems(definition);
  if (shapeErrors.length > 0) {
    throw new Error(
      `scenario file ${path} must export default defineScenario({...}) (see scenarios/README.md):\n` +
        `  - ${shapeErrors.join('\n  - ')}`,
    );
  }
  const errors = validateScenario(definition as ScenarioDefinition);
  if (errors.length > 0) throw new Error(`scenario file ${path} is invalid:\n  - ${errors.join('\n  - ')}`);
  return definition as ScenarioDefinition;
}

/** The problems of an InvalidScenarioError, thrown by whichever copy of the harness the file imported. */
function invalidScenarioProblems(error: unknown): readonly string[] | undefined {
  const candidate = error as Partial<InvalidScenarioError> | null;
  return candidate?.name === 'InvalidScenarioError' && Array.isArray(candidate.problems)
    ? candidate.problems
    : undefined;
}

function unwrapDefault(value: unknown): unknown {
  const inner =
    typeof value === 'object' && value !== null && !('name' in value)
      ? (value as { default?: unknown }).default
      : undefined;
  return inner ?? value;
}

async function importModule(absolute: string): Promise<unknown> {
  if (!/\.[mc]?ts$/.test(absolute)) return import(pathToFileURL(absolute).href);
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(pathToFileURL(absolute).href, import.meta.url);
}

/** Enough of the shape for validateScenario to read it without crashing. */
function shapeProblems(value: unknown): string[] {
  if (value === undefined) return ['it has no default export'];
  if (typeof value !== 'object' || value === null)
    return [`its default export is a ${value === null ? 'null' : typeof value}, not a scenario object`];
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  const expect = (field: string, ok: boolean, what: string) => {
    if (!ok) problems.push(`"${field}" must be ${what}, got ${JSON.stringify(record[field]) ?? 'undefined'}`);
  };
  expect('name', typeof record.name === 'string', 'a string');
  expect('description', typeof record.description === 'string', 'a string');
  expect('topology', isObject(record.topology), 'an object { servers, clients, replyMode, prefetch, confirmReplies }');
  expect(
    'load',
    isObject(record.load) && typeof (record.load as Record<string, unknown>).executor === 'string',
    'an object with an executor',
  );
  expect('timeoutMs', typeof record.timeoutMs === 'number', 'a number');
  expect('faults', Array.isArray(record.faults), 'an array');
  expect('checks', Array.isArray(record.checks), 'an array');
  expect('gates', Array.isArray(record.gates), 'an array');
  return problems;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
