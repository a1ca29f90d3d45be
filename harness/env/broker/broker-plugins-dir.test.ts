import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  dependencyClosure,
  prepareBrokerPluginsDir,
  prepareBrokerScripts,
  readApplications,
} from './broker-plugins-dir.ts';

const dirs: string[] = [];
const scratch = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-plugins-test-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A lib directory shaped like Debian's: rabbitmq_server-<v>/plugins/<app>-<v>/ebin/<app>.app. */
function fakeLib(apps: Record<string, string[]>, versions = ['3.10.8']): string {
  const lib = scratch();
  for (const version of versions) {
    for (const [app, needs] of Object.entries(apps)) {
      const ebin = join(lib, `rabbitmq_server-${version}`, 'plugins', `${app}-1.2.3`, 'ebin');
      mkdirSync(ebin, { recursive: true });
      writeFileSync(
        join(ebin, `${app}.app`),
        `{application, '${app}', [\n\t{vsn, "1.2.3"},\n` +
          `\t{applications, [kernel,stdlib,\n ${needs.join(',')}]},\n\t{env, []}]}.\n`,
      );
    }
  }
  return lib;
}

describe('the broker-only plugins directory', () => {
  it('links rabbit and what it needs, transitively, and no plugin', () => {
    const lib = fakeLib({
      rabbit: ['rabbit_common', 'ra'],
      rabbit_common: ['jsx'],
      ra: ['aten'],
      aten: [],
      jsx: [],
      rabbitmq_management: ['rabbit'],
    });
    const target = join(scratch(), 'plugins');
    expect(prepareBrokerPluginsDir(target, lib)).toBe(target);
    expect(readdirSync(target).sort()).toEqual([
      'aten-1.2.3',
      'jsx-1.2.3',
      'ra-1.2.3',
      'rabbit-1.2.3',
      'rabbit_common-1.2.3',
    ]);
    expect(readlinkSync(join(target, 'ra-1.2.3'))).toBe(join(lib, 'rabbitmq_server-3.10.8', 'plugins', 'ra-1.2.3'));
  });

  it('falls back to the installed directory when it cannot tell which to use', () => {
    expect(prepareBrokerPluginsDir(join(scratch(), 'p'), join(scratch(), 'no-such-lib'))).toBeUndefined();
    expect(prepareBrokerPluginsDir(join(scratch(), 'p'), fakeLib({ rabbit: [] }, ['3.9.1', '3.10.8']))).toBeUndefined();
    expect(prepareBrokerPluginsDir(join(scratch(), 'p'), fakeLib({ rabbitmq_management: [] }))).toBeUndefined();
  });

  it("reads the installed broker's real dependencies (Debian's rabbitmq-server)", () => {
    const target = join(scratch(), 'plugins');
    expect(prepareBrokerPluginsDir(target)).toBe(target);
    const apps = readdirSync(target).map((entry) => entry.replace(/-\d.*$/, ''));
    expect(apps).toEqual(
      expect.arrayContaining(['rabbit', 'rabbit_common', 'rabbitmq_prelaunch', 'ra', 'osiris', 'ranch', 'cuttlefish']),
    );
    expect(apps.filter((app) => app.startsWith('rabbitmq_') && app !== 'rabbitmq_prelaunch')).toEqual([]);
  });

  it('parses an application list and walks dependencies once each', () => {
    const file = join(scratch(), 'x.app');
    writeFileSync(
      file,
      "{application, x, [{applications, [ kernel , 'quoted', a_b]},\n {included_applications, [inner]}]}.",
    );
    expect(readApplications(file)).toEqual(['kernel', 'a_b', 'inner']);
    const seen: string[] = [];
    const closure = dependencyClosure('a', (app) => {
      seen.push(app);
      return ({ a: ['b', 'c'], b: ['c', 'a'], c: [] } as Record<string, string[]>)[app];
    });
    expect([...closure].sort()).toEqual(['a', 'b', 'c']);
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
  });
});

describe("the node's own scripts directory", () => {
  /** Installed like Debian's: bin/rabbitmq-server is a link into rabbitmq_server-<v>/sbin. */
  function fakeInstall(scripts: string[]): string {
    const root = scratch();
    mkdirSync(join(root, 'sbin'));
    for (const script of scripts) writeFileSync(join(root, 'sbin', script), '#!/bin/sh\n');
    mkdirSync(join(root, 'bin'));
    symlinkSync(join(root, 'sbin', 'rabbitmq-server'), join(root, 'bin', 'rabbitmq-server'));
    return root;
  }

  it("links the installed server and the scripts it sources, so the node's home is its own folder", () => {
    const installed = fakeInstall(['rabbitmq-server', 'rabbitmq-env', 'rabbitmq-defaults', 'rabbitmqctl']);
    const home = scratch();
    expect(prepareBrokerScripts(home, join(installed, 'bin', 'rabbitmq-server'))).toBe(
      join(home, 'sbin', 'rabbitmq-server'),
    );
    expect(readdirSync(join(home, 'sbin')).sort()).toEqual(['rabbitmq-defaults', 'rabbitmq-env', 'rabbitmq-server']);
    expect(readlinkSync(join(home, 'sbin', 'rabbitmq-env'))).toBe(join(installed, 'sbin', 'rabbitmq-env'));
  });

  it('gives nothing when the installed scripts are not all there', () => {
    const installed = fakeInstall(['rabbitmq-server', 'rabbitmq-env']);
    expect(prepareBrokerScripts(scratch(), join(installed, 'bin', 'rabbitmq-server'))).toBeUndefined();
    expect(prepareBrokerScripts(scratch(), join(scratch(), 'no-such-server'))).toBeUndefined();
  });
});
