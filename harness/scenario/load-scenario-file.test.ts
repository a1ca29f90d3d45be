import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_HARNESS_ERROR } from '../exit-codes.ts';
import { loadScenarioFile } from './load-scenario-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-scenario-file-'));
const api = new URL('../index.ts', import.meta.url).pathname;
const SCENARIO = `import { defineScenario } from '${api}';
export default defineScenario({
  name: 'from-a-file',
  description: 'a user scenario outside the repository',
  topology: { servers: 1, clients: 1, replyMode: 'callback-queue', prefetch: 10, confirmReplies: false },
  load: { executor: 'closed-loop', concurrency: 2, durationMs: 1_000 },
  timeoutMs: 1_000,
  faults: [],
  checks: [],
  gates: [],
});
`;

describe('scenario files given by path', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a .ts file from a folder without package.json (compiled as CommonJS)', async () => {
    const file = join(dir, 'plain.ts');
    writeFileSync(file, SCENARIO);
    const definition = await loadScenarioFile(file);
    expect(definition.name).toBe('from-a-file');
  });

  it('loads a .ts file from an ES-module package', async () => {
    const esm = join(dir, 'esm');
    rmSync(esm, { recursive: true, force: true });
    mkdirSync(esm);
    writeFileSync(join(esm, 'package.json'), '{"type":"module"}');
    writeFileSync(join(esm, 'scenario.ts'), SCENARIO);
    expect((await loadScenarioFile(join(esm, 'scenario.ts'))).name).toBe('from-a-file');
  });

  it('names each missing field of a file that does not export a scenario', async () => {
    const file = join(dir, 'empty.ts');
    writeFileSync(file, 'export default { name: "half" };\n');
    await expect(loadScenarioFile(file)).rejects.toThrow(
      /"topology" must be an object.*\n[\s\S]*"gates" must be an array/,
    );
  });

  const withFaults = (faults: string, wrap = true) => {
    const body = SCENARIO.replace('faults: [],', `faults: ${faults},`);
    return wrap
      ? body
      : body
          .replace(`import { defineScenario } from '${api}';\n`, '')
          .replace('defineScenario({', '({')
          .replace(/\}\);\n$/, '});\n');
  };
  const VALID_KINDS =
    'valid kinds: kill-server-at-fault-point, kill-server, toxic, disable-proxy, close-connections, blackhole, ' +
    'restart-broker, servers-stop-replying, ' +
    'kill-node, pause-node, partition-node, rolling-restart, memory-alarm, delete-request-queue';

  it('names the field, the bad value and the valid kinds of a mistyped fault kind', async () => {
    const file = join(dir, 'typo.mjs');
    writeFileSync(file, withFaults("[{ kind: 'kill-servr', server: 1, trigger: { atMs: 500 } }]"));
    await expect(loadScenarioFile(file)).rejects.toThrow(
      `scenario file ${file} is invalid:\n` +
        `  - faults[0].kind: "kill-servr" is not a fault kind (did you mean "kill-server"?); ${VALID_KINDS}`,
    );
  });

  it('checks the faults of a file that exports a plain object the same way', async () => {
    const file = join(dir, 'plain-object.mjs');
    writeFileSync(
      file,
      withFaults(
        "[{ kind: 'restart-broker', trigger: { atMs: 0 } }, { kind: 'kill-servr', server: 1, trigger: { atMs: 500 } }]",
        false,
      ),
    );
    await expect(loadScenarioFile(file)).rejects.toThrow(
      `scenario file ${file} is invalid:\n` +
        '  - faults[1].kind: "kill-servr" is not a fault kind (did you mean "kill-server"?)',
    );
  });

  it('names every misspelt or missing field of a fault at once, and what is valid there', async () => {
    const file = join(dir, 'fields.mjs');
    writeFileSync(
      file,
      withFaults(
        "[{ kind: 'kill-server', server: '1', trigger: { at: 500 }, restartAfterMS: 500 }, " +
          "{ kind: 'toxic', proxy: 'servers', trigger: { atMs: 0 }, " +
          "toxic: { type: 'latncy', stream: 'upstream', attributes: { latency: 50 } } }, " +
          "{ kind: 'disable-proxy', proxy: 'servers', trigger: { atMs: 0 } }]",
      ),
    );
    const message = await loadScenarioFile(file).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(message.split('\n').slice(1)).toEqual([
      '  - faults[0].server: expected a number, got "1"',
      '  - faults[0].trigger: must be { atMs: <ms after the load started> } or { afterCall: <calls sent> }, ' +
        'got {"at":500}',
      '  - faults[0].restartAfterMS: not a field of a kill-server fault (did you mean "restartAfterMs"?); ' +
        'its fields: kind, server, trigger, restartAfterMs',
      '  - faults[1].toxic.type: "latncy" is not valid (did you mean "latency"?); ' +
        'one of "latency", "bandwidth", "slow_close", "timeout", "reset_peer", "slicer", "limit_data"',
      '  - faults[2].durationMs: missing (expected a number)',
    ]);
  });

  it('makes the scenario command exit 2 with that message, not an internal error', () => {
    const file = join(dir, 'typo-cli.mjs');
    writeFileSync(file, withFaults("[{ kind: 'kill-servr', server: 1, trigger: { atMs: 500 } }]"));
    const cli = new URL('../cli/cli.ts', import.meta.url).pathname;
    const run = spawnSync(process.execPath, ['--import', 'tsx', cli, file, '--out', join(dir, 'typo-run')], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, AMQP_URL: '', TOXIPROXY_URL: '' },
    });
    expect(run.status, run.stderr).toBe(EXIT_HARNESS_ERROR);
    expect(run.stderr).toContain(
      `faults[0].kind: "kill-servr" is not a fault kind (did you mean "kill-server"?); ${VALID_KINDS}`,
    );
    expect(run.stderr).not.toMatch(/TypeError|Cannot read properties/);
  });

  it('says when the file does not exist', async () => {
    await expect(loadScenarioFile(join(dir, 'missing.ts'))).rejects.toThrow(/does not exist/);
  });
});
