/**
 * The suite image's recipe, without building it (that takes minutes; suite-image.integration.test.ts
 * runs a built one): no registry image anywhere, host networking, the entry point passing
 * arguments and exit codes through and handing written files to the mounted folder's owner.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCKERFILE = readFileSync(join(ROOT, 'docker/suite/Dockerfile'), 'utf8');
const ENTRYPOINT = join(ROOT, 'docker/suite/entrypoint.sh');
const BUILD_SCRIPT = join(ROOT, 'docker/build-suite-image.sh');

/** Images only docker/*.sh build here: the machines this runs on reach no image registry. */
const LOCAL_IMAGE = /^rpc-chaos\/[a-z0-9-]+:local$/;

/** The images a Dockerfile starts FROM, with `ARG` defaults substituted; each that is not built here. */
function registryImagesIn(dockerfile: string): string[] {
  const args = new Map<string, string>();
  const images: string[] = [];
  for (const line of dockerfile.split('\n').map((text) => text.trim())) {
    const arg = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)=(\S+)/i.exec(line);
    if (arg) args.set(arg[1] ?? '', arg[2] ?? '');
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)/i.exec(line);
    if (from)
      images.push((from[1] ?? '').replace(/\$\{?([A-Za-z0-9_]+)\}?/g, (_, name: string) => args.get(name) ?? ''));
  }
  if (images.length === 0) return ['(no FROM)'];
  return images.filter((image) => !LOCAL_IMAGE.test(image));
}

const work = mkdtempSync(join(tmpdir(), 'rpc-chaos-suite-image-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A stand-in rpc-chaos: records its arguments, writes a file as the suite would, exits with STAND_IN_EXIT. */
const binDir = mkdtempSync(join(work, 'bin-'));
writeFileSync(
  join(binDir, 'rpc-chaos'),
  '#!/bin/sh\nprintf "%s\\0" "$@" > "$ARGV_FILE"\nmkdir -p out && echo ran > out/summary.md\nexit "$STAND_IN_EXIT"\n',
);
chmodSync(join(binDir, 'rpc-chaos'), 0o755);

function runEntrypoint(args: string[], cwd: string, exitCode = 0) {
  const argvFile = join(work, `argv-${Math.random().toString(36).slice(2)}`);
  const result = spawnSync('sh', [ENTRYPOINT, ...args], {
    cwd,
    env: {
      PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      ARGV_FILE: argvFile,
      STAND_IN_EXIT: String(exitCode),
    },
    encoding: 'utf8',
    timeout: 10_000,
  });
  const argv = readFileSync(argvFile, 'utf8').split('\0').slice(0, -1);
  return { status: result.status, argv, stderr: result.stderr };
}

describe('the suite image recipe', () => {
  it('starts from an image built here, never from a registry', () => {
    expect(registryImagesIn(DOCKERFILE)).toEqual([]);
  });

  it('would notice a registry image, also behind an ARG', () => {
    expect(registryImagesIn('FROM node:20-bookworm-slim\n')).toEqual(['node:20-bookworm-slim']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile's own ARG reference
    expect(registryImagesIn('ARG BASE=docker.io/library/debian:bookworm\nFROM ${BASE}\n')).toEqual([
      'docker.io/library/debian:bookworm',
    ]);
    expect(registryImagesIn('# no image\n')).toEqual(['(no FROM)']);
  });

  it('debootstraps the base with what the image runs: rabbitmq-server, python3-pika for Python services, tini', () => {
    const script = readFileSync(BUILD_SCRIPT, 'utf8');
    expect(script).toMatch(/build-rabbitmq-image\.sh" --tag "\$base_tag" --packages python3-pika,tini/);
    expect(DOCKERFILE).toMatch(
      /^ENTRYPOINT \["\/usr\/bin\/tini", "-g", "--", "\/usr\/local\/bin\/rpc-chaos-entrypoint"\]$/m,
    );
  });

  it('uses host networking only: documented for docker run, and the build step runs on it', () => {
    expect(DOCKERFILE).toMatch(/docker run --rm --network host -v "\$PWD:\/work" -w \/work rpc-chaos\/suite:local/);
    const script = readFileSync(BUILD_SCRIPT, 'utf8');
    expect(script).toMatch(/docker build --network host /);
    for (const text of [DOCKERFILE, script, readFileSync(ENTRYPOINT, 'utf8')]) {
      expect(text).not.toMatch(/172\.17\.|--network[= ]bridge|EXPOSE/);
    }
  });

  it('has a build script that parses and refuses an unknown option with exit 2', () => {
    expect(spawnSync('bash', ['-n', BUILD_SCRIPT]).status).toBe(0);
    const unknown = spawnSync('bash', [BUILD_SCRIPT, '--push'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option --push/);
  });
});

describe('the suite image entry point', () => {
  it('passes every argument through unchanged, quotes and $(...) included', () => {
    const args = ['suite', '--server-cmd', 'python3 "my server.py" $(touch pwned)', '--gate', 'p99<250ms'];
    const { status, argv } = runEntrypoint(args, mkdtempSync(join(work, 'cwd-')));
    expect(status).toBe(0);
    expect(argv).toEqual(args);
  });

  it('shows the help when given no arguments', () => {
    expect(runEntrypoint([], mkdtempSync(join(work, 'cwd-'))).argv).toEqual(['--help']);
  });

  it("exits with rpc-chaos's exit code", () => {
    for (const code of [1, 2, 130])
      expect(runEntrypoint(['list'], mkdtempSync(join(work, 'cwd-')), code).status).toBe(code);
  });

  it.runIf(process.getuid?.() === 0)(
    "hands what the run wrote to the working directory's owner, and nothing older (needs root)",
    () => {
      const mounted = mkdtempSync(join(work, 'mounted-'));
      chmodSync(mounted, 0o755);
      const olderFile = join(mounted, 'older-root-file');
      writeFileSync(olderFile, 'made before the run');
      utimesSync(olderFile, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
      chownSync(mounted, 1000, 1000);
      const { status } = runEntrypoint(['suite'], mounted, 1);
      expect(status).toBe(1);
      for (const written of ['out', 'out/summary.md']) {
        expect(statSync(join(mounted, written)).uid, written).toBe(1000);
        expect(statSync(join(mounted, written)).gid, written).toBe(1000);
      }
      expect(statSync(olderFile).uid).toBe(0);
    },
  );
});
