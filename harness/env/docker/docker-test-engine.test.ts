import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDockerScript } from './docker-test-engine.ts';

/** A stand-in checkout: docker/<name>.sh scripts in a temporary folder. */
const root = mkdtempSync(join(tmpdir(), 'rpc-chaos-docker-scripts-'));
mkdirSync(join(root, 'docker'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function script(name: string, body: string): string {
  writeFileSync(join(root, 'docker', name), `#!/usr/bin/env bash\n${body}\n`);
  return name;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runDockerScript', () => {
  it('returns what the script printed when it succeeds', async () => {
    const run = await runDockerScript(root, script('ok.sh', 'echo "built $1"'), ['image'], {
      timeoutMs: 10_000,
      guarded: true,
    });
    expect(run.output).toBe('built image');
  });

  it('fails with the exit status and the output, stderr included, when the script fails', async () => {
    const failing = script('fails.sh', 'echo step one; echo "no engine answers" >&2; exit 2');
    await expect(runDockerScript(root, failing, [], { timeoutMs: 10_000, guarded: false })).rejects.toThrow(
      /fails\.sh\s+ended with 2:\nstep one\nno engine answers/,
    );
  });

  it('stops a script past its timeout with SIGTERM (its trap cleans up) and leaves none of its processes', async () => {
    const pidFile = join(root, 'sleeper.pid');
    const cleaned = join(root, 'cleaned');
    const hanging = script('hangs.sh', `trap 'touch ${cleaned}; exit 143' TERM\nsleep 60 & echo $! > ${pidFile}\nwait`);
    const started = Date.now();
    await expect(runDockerScript(root, hanging, [], { timeoutMs: 1_000, guarded: true })).rejects.toThrow(
      /hangs\.sh did not finish within 1 s/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(existsSync(cleaned)).toBe(true);
    expect(alive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('kills a script that ignores SIGTERM once the grace period is over', async () => {
    const stubborn = script('ignores-term.sh', "trap '' TERM\nfor _ in $(seq 1 600); do sleep 0.1; done");
    const started = Date.now();
    await expect(runDockerScript(root, stubborn, [], { timeoutMs: 500, guarded: false })).rejects.toThrow(
      /did not finish within 0.5 s/,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 20_000);
});
