import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appClosure, installedPluginsDir, linkBrokerApps } from './broker-apps.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function pluginsDir(apps: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-plugins-'));
  dirs.push(dir);
  for (const [versioned, applications] of Object.entries(apps)) {
    const name = versioned.replace(/-[0-9.]+$/, '');
    mkdirSync(join(dir, versioned, 'ebin'), { recursive: true });
    writeFileSync(join(dir, versioned, 'ebin', `${name}.app`), `{application, ${name}, [{vsn, "1"},\n\t{applications, [${applications}]}]}.\n`);
  }
  return dir;
}

describe('broker apps', () => {
  it('keeps the applications rabbit needs, through its dependencies, and leaves out plugins', () => {
    const dir = pluginsDir({
      'rabbit-3.10.8': 'kernel,stdlib,rabbit_common,ra',
      'rabbit_common-3.10.8': 'kernel,jsx',
      'ra-2.2.0': 'kernel,\n\t\taten',
      'aten-0.5.8': 'kernel',
      'jsx-3.1.0': 'kernel',
      'rabbitmq_management-3.10.8': 'kernel,rabbit,cowboy',
      'cowboy-2.8.0': 'kernel',
    });
    expect(appClosure(dir)).toEqual(['aten-0.5.8', 'jsx-3.1.0', 'ra-2.2.0', 'rabbit-3.10.8', 'rabbit_common-3.10.8']);
    const into = linkBrokerApps(dir, join(dir, 'linked'));
    expect(readdirSync(into).sort()).toEqual(appClosure(dir));
    expect(readlinkSync(join(into, 'ra-2.2.0'))).toBe(join(dir, 'ra-2.2.0'));
  });

  it('fails with the directory it looked in when there is no rabbit application', () => {
    const dir = pluginsDir({ 'ra-2.2.0': 'kernel' });
    expect(() => appClosure(dir)).toThrow(`${dir} has no rabbit application`);
  });

  it('finds Debian\'s plugins directory and keeps fewer of its applications', () => {
    const installed = installedPluginsDir();
    expect(installed).toMatch(/^\/usr\/lib\/rabbitmq\/lib\/rabbitmq_server-[0-9.]+\/plugins$/);
    expect(appClosure(installed!)).toContainEqual(expect.stringMatching(/^rabbit_common-/));
    expect(appClosure(installed!).length).toBeLessThan(readdirSync(installed!).length);
  });
});
