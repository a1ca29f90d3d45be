import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Toxiproxy } from 'toxiproxy-node-client';
import { BuiltinToxiproxy } from './builtin-toxiproxy.ts';

const CLI = fileURLToPath(new URL('./bin/toxiproxy.ts', import.meta.url));
const children: ChildProcess[] = [];

interface Run {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exit: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exit };
}

async function waitForUrl(started: Run): Promise<string> {
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    const url = /listening on (http:\/\/\S+)/.exec(started.output.stdout)?.[1];
    if (url) return url;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the CLI printed no API URL within 10 s; stderr: ${started.output.stderr}`);
}

describe('npm run toxiproxy: the built-in proxy as a standalone server', { timeout: 30_000 }, () => {
  afterEach(() => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('serves the API until SIGTERM, then stops cleanly with exit code 0', async () => {
    const started = run(['--host', '127.0.0.1', '--port', '0']);
    const url = await waitForUrl(started);
    const toxiproxy = new Toxiproxy(url);
    expect(await toxiproxy.getVersion()).toContain('2.12.0');
    const proxy = await toxiproxy.createProxy({ name: 'cli', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    expect(proxy.enabled).toBe(true);
    started.child.kill('SIGTERM');
    expect(await started.exit).toBe(0);
    await expect(fetch(`${url}/version`)).rejects.toThrow();
  });

  it('rejects a bad port with a clear message and exit code 2', async () => {
    const started = run(['--port', 'eighty']);
    expect(await started.exit).toBe(2);
    expect(started.output.stderr).toContain('expected a port from 0 to 65535, got "eighty"');
  });

  it('rejects an unknown option with exit code 2', async () => {
    const started = run(['--bogus']);
    expect(await started.exit).toBe(2);
    expect(started.output.stderr).toContain("unknown option '--bogus'");
  });

  it('exits with code 2 and says why when the API port is taken', async () => {
    await using taken = await new BuiltinToxiproxy({ port: 0 }).start();
    const started = run(['--port', String(taken.getPort())]);
    expect(await started.exit).toBe(2);
    expect(started.output.stderr).toContain('address already in use');
  });
});
