import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../../../env/broker/private-rabbit-node.ts';
import { liveGroupMembers, runCli } from './run-cli.ts';

let node: StartedPrivateRabbitNode;
// The tutorial's Python server: it starts in well under a second, so a restart fits a short run.
const PYTHON_SERVER_FILE = new URL('../../../../scenarios/implementations/python/rpc_server.py', import.meta.url);
const PYTHON_SERVER = `RPC_PREFETCH=10 /usr/bin/python3 ${PYTHON_SERVER_FILE.pathname}`;

const runDirs: string[] = [];
function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-command-server-'));
  runDirs.push(dir);
  return dir;
}

describe('external servers given by --server-cmd', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    node = await new PrivateRabbitNode({ startTimeoutMs: 120_000 }).start();
  }, 150_000);
  afterAll(async () => {
    await node?.stop();
    for (const dir of runDirs) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'runs a scenario against N instances of the command, each logging to server-N.log, ' +
      'and kills and restarts them',
    async () => {
      const out = runDir();
      const scenario = join(out, 'kill-and-restart.ts');
      const api = new URL('../../../index.ts', import.meta.url).pathname;
      writeFileSync(
        scenario,
        `import { defineScenario, recoveredAfterFaults } from '${api}';
export default defineScenario({
  name: 'kill-and-restart',
  description: 'a server is killed and restarted while calls go on',
  topology: { servers: 2, clients: 1, replyMode: 'callback-queue', prefetch: 10, confirmReplies: false },
  load: { executor: 'constant-arrival-rate', ratePerSec: 50, durationMs: 8_000, maxInFlight: 400 },
  timeoutMs: 3_000,
  faults: [{ kind: 'kill-server', server: 1, trigger: { atMs: 500 }, restartAfterMs: 300 }],
  checks: [recoveredAfterFaults],
  gates: [],
});
`,
      );
      const run = await runCli(node.getAmqpUrl(), [
        scenario,
        '--server-cmd',
        PYTHON_SERVER,
        '--out',
        out,
        '--no-tracing',
      ]);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const log = readFileSync(join(out, 'server-1.log'), 'utf8');
      // One separator per incarnation: the kill and the restart re-ran the command.
      expect(log.match(/^--- server-1 incarnation \d+ started/gm)).toHaveLength(2);
      expect(log).toContain('Awaiting RPC requests on rpc_queue');
      expect(existsSync(join(out, 'server-2.log'))).toBe(true);
      const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
        counters: { serverKills: number; serverRestarts: number; answered: number };
      };
      expect(result.counters.serverKills).toBe(1);
      expect(result.counters.serverRestarts).toBe(1);
      expect(result.counters.answered).toBeGreaterThan(100);
    },
  );

  it("a command that does not exist: exit 2, the shell's verdict and the log in the error", async () => {
    const out = runDir();
    const run = await runCli(node.getAmqpUrl(), [
      'baseline',
      '--duration',
      '1s',
      '--servers',
      '1',
      '--clients',
      '1',
      '--server-cmd',
      '/nonexistent/rpc-server --queue x',
      '--out',
      out,
      '--no-tracing',
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(
      new RegExp(
        String.raw`server-1 \(command: \/nonexistent\/rpc-server --queue x\) was not ready: ` +
          String.raw`it exited with code 127 \(the shell could not find the command`,
      ),
    );
    expect(run.stdout + run.stderr).toContain('/nonexistent/rpc-server');
  });

  it('a command that exits at once: exit 2, with the last lines it wrote', async () => {
    const out = runDir();
    const run = await runCli(node.getAmqpUrl(), [
      'baseline',
      '--duration',
      '1s',
      '--servers',
      '1',
      '--clients',
      '1',
      '--server-cmd',
      'echo "config file missing: /etc/rpc.conf" >&2; exit 3',
      '--out',
      out,
      '--no-tracing',
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(/exited with code 3 before it consumed "rpc_queue[^"]*"/);
    expect(run.stdout + run.stderr).toContain('| config file missing: /etc/rpc.conf');
  });

  it('a command that never consumes: exit 2 after the ready timeout, and no process of its group left', async () => {
    const out = runDir();
    const pidFile = join(out, 'server.pid');
    const run = await runCli(node.getAmqpUrl(), [
      'baseline',
      '--duration',
      '1s',
      '--servers',
      '1',
      '--clients',
      '1',
      '--ready-timeout',
      '2s',
      // A child in the background as well: the kill must reach the whole group.
      '--server-cmd',
      `echo $$ > ${pidFile}; echo "connecting to nowhere"; sleep 300 & exec sleep 301`,
      '--out',
      out,
      '--no-tracing',
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(/was not ready: nothing consumed "rpc_queue[^"]*" within 2000 ms/);
    expect(run.stdout + run.stderr).toContain('| connecting to nowhere');
    expect(existsSync(pidFile)).toBe(true);
    expect(liveGroupMembers(pidFile)).toEqual([]);
  });

  it('a scenario file that is not a scenario: exit 2 naming what is wrong', async () => {
    const out = runDir();
    const file = join(out, 'not-a-scenario.ts');
    writeFileSync(file, 'export default { name: "x", topology: {} };\n');
    const run = await runCli(node.getAmqpUrl(), [file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`scenario file ${file} must export default defineScenario`);
    expect(run.stderr).toContain('"load" must be an object with an executor');
  });
});
