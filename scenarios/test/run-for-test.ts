import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedBroker } from '../../harness/env/broker/broker.ts';
import type { ClientImplementation } from '../../harness/impl/implementation.ts';
import type { ProxyChoice } from '../../harness/env/select-proxy.ts';
import type { ScenarioResult } from '../../harness/model/result-schema.ts';
import { applyOverrides, type ScenarioOverrides } from '../../harness/scenario/apply-overrides.ts';
import type { ScenarioDefinition } from '../../harness/scenario/define-scenario.ts';
import { decideProxyUse } from '../../harness/engine/proxy-use.ts';
import { runScenario } from '../../harness/engine/run-scenario.ts';

/**
 * Runs a scenario as the CLI would, on a broker the test file shares: through the built-in
 * proxy when the scenario schedules a network fault (or `proxy` asks for one), else straight to
 * the broker; its run folder is removed afterwards.
 */
export async function runForTest(
  broker: StartedBroker,
  scenario: ScenarioDefinition,
  options: {
    overrides?: ScenarioOverrides;
    client?: ClientImplementation;
    allowBusyQueue?: boolean;
    /** As --proxy; absent: the built-in proxy where the run needs one, none elsewhere. */
    proxy?: ProxyChoice;
  } = {},
): Promise<ScenarioResult> {
  const { definition, errors } = applyOverrides(scenario, options.overrides ?? {});
  if (errors.length > 0) throw new Error(errors.join('; '));
  const runDir = mkdtempSync(join(tmpdir(), `rpc-chaos-${scenario.name}-`));
  try {
    return await runScenario({
      definition,
      broker,
      // The built-in proxy where the run uses one, whatever TOXIPROXY_URL says; 'auto' starts none otherwise.
      proxy: options.proxy ?? (decideProxyUse('auto', definition).used ? 'builtin' : 'auto'),
      seed: 42,
      runDir,
      gates: [],
      tracing: { enabled: true, sampleRatio: definition.tracing?.sampleRatio ?? 0.1 },
      implementations: options.client ? { client: options.client } : undefined,
      allowBusyQueue: options.allowBusyQueue,
    });
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

export function failedChecks(result: ScenarioResult): string[] {
  return result.checks.filter((check) => !check.passed).map((check) => check.id);
}

/** For assertion messages: the checks that failed, with their numbers. */
export function explain(result: ScenarioResult): string {
  const failed = result.checks.filter((check) => !check.passed).map((check) => `${check.id}: ${check.actual}`);
  return [`verdict ${result.verdict}`, ...failed, ...result.harnessErrors].join('\n');
}
