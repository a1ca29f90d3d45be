import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
    await expect(loadScenarioFile(file)).rejects.toThrow(/"topology" must be an object.*\n[\s\S]*"gates" must be an array/);
  });

  it('says when the file does not exist', async () => {
    await expect(loadScenarioFile(join(dir, 'missing.ts'))).rejects.toThrow(/does not exist/);
  });
});
