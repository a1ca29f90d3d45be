/**
 * Which scenarios a suite runs: the single-node catalogue by default (a cluster scenario needs
 * three nodes of its own and minutes, so it runs when named), or the names and tags given.
 */
import { closestName } from '../closest-name.ts';
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';

export const isSingleNode = (scenario: ScenarioDefinition): boolean => (scenario.topology.nodes ?? 1) === 1;

/** Every tag of the catalogue, sorted. */
export function catalogueTags(catalogue: readonly ScenarioDefinition[]): string[] {
  return [...new Set(catalogue.flatMap((scenario) => scenario.tags ?? []))].sort();
}

/**
 * The scenarios `selectors` pick, in catalogue order: each selector is a scenario name or a tag
 * (all scenarios with it). No selector: the single-node catalogue. Unknown selectors are errors
 * that name the nearest scenario or tag.
 */
export function selectScenarios(
  catalogue: readonly ScenarioDefinition[],
  selectors: readonly string[],
): { scenarios: ScenarioDefinition[]; errors: string[] } {
  if (selectors.length === 0) return { scenarios: catalogue.filter(isSingleNode), errors: [] };
  const names = catalogue.map((scenario) => scenario.name);
  const tags = catalogueTags(catalogue);
  const picked = new Set<string>();
  const errors: string[] = [];
  for (const selector of selectors) {
    if (names.includes(selector)) picked.add(selector);
    else if (tags.includes(selector)) {
      for (const scenario of catalogue) if (scenario.tags?.includes(selector)) picked.add(scenario.name);
    } else {
      const near = closestName(selector, [...names, ...tags]);
      errors.push(
        `"${selector}" is neither a scenario nor a tag${near ? ` (did you mean "${near}"?)` : ''}; ` +
          `scenarios: ${names.join(', ')}; tags: ${tags.join(', ')}`,
      );
    }
  }
  return { scenarios: catalogue.filter((scenario) => picked.has(scenario.name)), errors };
}

/** `--scenarios a,b --scenarios c` as one list of selectors, blanks dropped. */
export function splitSelectors(values: readonly string[]): string[] {
  return values
    .flatMap((value) => value.split(','))
    .map((each) => each.trim())
    .filter((each) => each !== '');
}
