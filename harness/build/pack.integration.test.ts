/**
 * The package, as a user gets it: a copy of this repository's files (what a clean clone holds,
 * node_modules linked) is packed with `npm pack`, the tarball is installed into an empty npm
 * project, the copy is deleted, and `npx rpc-chaos` runs there: the catalogue, the version, an
 * unknown command, setup, a real duplicate-reply run against a private RabbitMQ node, and the
 * report of that run. The copy's version is made unique, so a version read from this repository
 * instead of the installed package shows; and no path in what the run printed or wrote may
 * point into this repository.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROGRAM_COMMANDS } from '../cli/package-commands.ts';
import { REPO_ROOT } from './programs.ts';

const execFileAsync = promisify(execFile);
const PROGRAMS = JSON.parse(readFileSync(join(REPO_ROOT, 'harness/build/programs.json'), 'utf8')) as Record<
  string,
  string
>;
const REPO = REPO_ROOT.replace(/\/$/, '');
const VERSION = `${(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version}-pack-test`;
/** Bundles the package runs besides the commands' programs: built-in servers and clients, the built-in proxy. */
const STARTED_BY_PROGRAMS = ['worker', 'proxy-thread'];

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a user's shell: no npm variables from a surrounding `npm test`, no path into this repository. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD'),
  );
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.startsWith(REPO))
    .join(delimiter);
  delete env.RPC_CHAOS_BUILD_CHECKED;
  return env;
}

/** Runs a command; resolves with its exit code and output instead of throwing. */
async function run(file: string, args: string[], cwd: string, timeout = 120_000): Promise<Outcome> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      cwd,
      timeout,
      env: userEnvironment(),
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? failed.message,
    };
  }
}

/** The repository's files as a clean clone has them (tracked, or new and not ignored: no dist/, no reports). */
async function copyCleanClone(clone: string): Promise<void> {
  const listed = await execFileAsync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO,
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const file of listed.stdout.split('\0')) {
    // node_modules is a link in a worktree; a deleted file is still listed until it is staged.
    if (file === '' || file === 'node_modules' || !existsSync(join(REPO, file))) continue;
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    cpSync(join(REPO, file), join(clone, file));
  }
  symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'));
}

let work: string;
let project: string;
let tarball: { file: string; size: number; files: string[] };
const measured: Record<string, number> = {};

function rpcChaos(args: string[], timeout?: number): Promise<Outcome> {
  return run('npx', ['--no-install', 'rpc-chaos', ...args], project, timeout);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'rpc-chaos-pack-'));
  const clone = join(work, 'clone');
  await copyCleanClone(clone);
  const manifest = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8')) as { version: string };
  writeFileSync(join(clone, 'package.json'), `${JSON.stringify({ ...manifest, version: VERSION }, null, 2)}\n`);

  const packs = join(work, 'packs');
  mkdirSync(packs);
  let started = performance.now();
  const packed = await run('npm', ['pack', '--json', '--pack-destination', packs], clone);
  measured.packMs = performance.now() - started;
  expect(packed.code, packed.stderr).toBe(0);
  // The build's own line comes first on stdout, then npm's JSON.
  const [entry] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m))) as Array<{
    filename: string;
    size: number;
    files: Array<{ path: string }>;
  }>;
  tarball = { file: join(packs, entry!.filename), size: entry!.size, files: entry!.files.map((f) => f.path).sort() };
  // From here on only the tarball holds the package.
  rmSync(clone, { recursive: true, force: true });

  project = join(work, 'project');
  mkdirSync(project);
  const initialised = await run('npm', ['init', '-y'], project);
  expect(initialised.code, initialised.stderr).toBe(0);
  started = performance.now();
  const installed = await run(
    'npm',
    ['install', tarball.file, '--prefer-offline', '--no-audit', '--no-fund'],
    project,
    170_000,
  );
  measured.installMs = performance.now() - started;
  expect(installed.code, installed.stderr).toBe(0);
  console.log(
    `pack: ${tarball.size} bytes, ${tarball.files.length} files, ${Math.round(measured.packMs)} ms; ` +
      `npm install: ${Math.round(measured.installMs)} ms`,
  );
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed rpc-chaos, installed into an empty project', { timeout: 120_000 }, () => {
  it('ships the compiled programs it runs and the reference implementations, not sources, tests or maps', () => {
    const dispatched = PROGRAM_COMMANDS.map((command) => command.program).filter((program) => program in PROGRAMS);
    for (const program of new Set(['rpc-chaos', ...dispatched, ...STARTED_BY_PROGRAMS]))
      expect(tarball.files, `dist/${program}.js`).toContain(`dist/${program}.js`);
    for (const file of [
      'harness/build/rpc-chaos.mjs',
      'harness/env/setup.sh',
      'harness/env/guard/owner-guard.mjs',
      'scenarios/implementations/PROTOCOL.md',
      'scenarios/implementations/python/rpc_server.py',
      'scenarios/implementations/naive/naive-rpc-client-driver.py',
    ])
      expect(tarball.files).toContain(file);
    const unwanted = tarball.files.filter((file) =>
      /\.ts$|\.map$|(^|\/)(test|fixtures|reports|\.tmp)\/|build-info\.json$/.test(file),
    );
    expect(unwanted).toEqual([]);
  });

  it('holds no path into this repository', () => {
    const root = join(project, 'node_modules', 'rpc-chaos');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) =>
      statSync(join(root, file)).isFile(),
    );
    expect(files.length).toBe(tarball.files.length);
    const naming = files.filter((file) => readFileSync(join(root, file), 'utf8').includes(REPO));
    expect(naming).toEqual([]);
  });

  it('prints its version, the catalogue, and exits 2 naming an unknown command', async () => {
    const version = await rpcChaos(['--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);

    const list = await rpcChaos(['list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^ {2}duplicate-reply +servers die between reply and ack/m);

    const unknown = await rpcChaos(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    expect(unknown.stdout).toBe('');
  });

  it('runs the suite with the naive client driver it ships: exit 1, the matrix and junit.xml name the failure', async () => {
    const help = await rpcChaos(['suite', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('--client-cmd');
    const driver = join(project, 'node_modules/rpc-chaos/scenarios/implementations/naive/naive-rpc-client-driver.py');
    const out = join(work, 'suite');
    const suite = await rpcChaos(
      ['suite', '--client-cmd', `/usr/bin/python3 ${driver}`, '--scenarios', 'duplicate-reply', '--out', out],
      90_000,
    );
    expect(suite.code, suite.stderr).toBe(1);
    const written = ['suite.json', 'index.html', 'junit.xml', 'summary.md'];
    for (const name of written) expect(existsSync(join(out, name)), name).toBe(true);
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toMatch(
      /<testcase [^>]*name="duplicate-reply"[^>]*>\s*<failure /,
    );
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('duplicate-reply');
    expect(written.filter((name) => readFileSync(join(out, name), 'utf8').includes(REPO))).toEqual([]);
    expect(`${suite.stdout}${suite.stderr}`).not.toContain(REPO);
  });

  it('sets up without npm ci in the package folder (dry run: installs nothing)', async () => {
    const setup = await rpcChaos(['setup', '--dry-run']);
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout).toContain('setup: an installed package: no npm ci');
    expect(setup.stdout).not.toContain('npm ci in');
    expect(setup.stdout).not.toContain('chromium');
  });

  it('runs duplicate-reply from the project, with the installed files only, and regenerates its report', async () => {
    const out = join(work, 'run');
    const started = performance.now();
    const scenario = await rpcChaos(['run', 'duplicate-reply', '--out', out], 90_000);
    measured.runMs = performance.now() - started;
    expect(scenario.code, scenario.stderr).toBe(0);
    expect(scenario.stdout).toContain('duplicate-reply  PASS');
    for (const name of ['result.json', 'report.html', 'junit.xml', 'summary.md'])
      expect(existsSync(join(out, name)), name).toBe(true);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as {
      environment: { harnessVersion: string };
    };
    expect(result.environment.harnessVersion).toBe(VERSION);
    const written = readdirSync(out).filter((name) => /\.(json|jsonl|html|xml|md|log)$/.test(name));
    const naming = written.filter((name) => readFileSync(join(out, name), 'utf8').includes(REPO));
    expect(naming).toEqual([]);
    expect(`${scenario.stdout}${scenario.stderr}`).not.toContain(REPO);

    rmSync(join(out, 'report.html'));
    const report = await rpcChaos(['report', out]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain('written:');
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    console.log(`npx rpc-chaos run duplicate-reply: ${Math.round(measured.runMs)} ms`);
  });

  it('names a program missing from the installed package and exits 2', async () => {
    rmSync(join(project, 'node_modules', 'rpc-chaos', 'dist', 'report.js'));
    const report = await rpcChaos(['report', join(work, 'run')]);
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/rpc-chaos report: \S+\/dist\/report\.js is missing/);
  });
});
