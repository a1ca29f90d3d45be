import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { implementationFromCommands, programName, readImplementationsFile } from './suite-implementations.ts';

const SCENARIO_NAMES = ['duplicate-reply', 'blackhole', 'consumer-cancel'];
const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-impls-'));
const fileWith = (content: string) => {
  const file = join(dir, `impls-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, content);
  return file;
};

describe('implementations of a suite', () => {
  it('reads a file of several implementations with their expected failures', () => {
    const file = fileWith(
      JSON.stringify([
        { name: 'builtin' },
        {
          name: 'python',
          serverCommand: 'python3 rpc_server.py',
          clientCommand: 'python3 rpc_client_driver.py',
          expectedFailures: [{ scenario: 'blackhole', reason: 'pika ignores AMQP_HEARTBEAT' }],
        },
      ]),
    );
    expect(readImplementationsFile(file, SCENARIO_NAMES)).toEqual([
      { name: 'builtin', expectedFailures: [] },
      {
        name: 'python',
        serverCommand: 'python3 rpc_server.py',
        clientCommand: 'python3 rpc_client_driver.py',
        expectedFailures: [{ scenario: 'blackhole', reason: 'pika ignores AMQP_HEARTBEAT' }],
      },
    ]);
  });

  it('says what is wrong with a bad file: missing, not JSON, wrong shape, duplicates, unknown scenarios', () => {
    expect(() => readImplementationsFile(join(dir, 'none.json'), SCENARIO_NAMES)).toThrow(
      /cannot read the implementations file .*none\.json: ENOENT/,
    );
    expect(() => readImplementationsFile(fileWith('[{'), SCENARIO_NAMES)).toThrow(/is not JSON/);
    expect(() => readImplementationsFile(fileWith('[]'), SCENARIO_NAMES)).toThrow(/\(top\): lists no implementation/);
    expect(() => readImplementationsFile(fileWith('[{"name":"a b","serverCmd":"x"}]'), SCENARIO_NAMES)).toThrow(
      /0\.name: letters, digits[\s\S]*Unrecognized key: "serverCmd"/,
    );
    expect(() =>
      readImplementationsFile(
        fileWith(
          JSON.stringify([{ name: 'a' }, { name: 'a', expectedFailures: [{ scenario: 'blackhol', reason: 'r' }] }]),
        ),
        SCENARIO_NAMES,
      ),
    ).toThrow(
      /\[1\]\.name: "a" is listed twice\n {2}- \[1\]\.expectedFailures\[0\]\.scenario: "blackhol" is not a scenario \(did you mean "blackhole"\?\)/,
    );
  });

  it('names the column of --server-cmd/--client-cmd after the programs they run, or --name', () => {
    expect(
      implementationFromCommands({
        serverCommand: '/usr/bin/python3 app/rpc_server.py --verbose',
        clientCommand: 'java -jar target/client.jar',
      }).name,
    ).toBe('rpc_server+client');
    expect(implementationFromCommands({}).name).toBe('builtin');
    expect(implementationFromCommands({ clientCommand: './driver', name: 'v2' })).toEqual({
      name: 'v2',
      clientCommand: './driver',
      expectedFailures: [],
    });
    expect(() => implementationFromCommands({ name: '../x' })).toThrow(/--name "\.\.\/x": use letters/);
    expect(programName('node --import tsx scenarios/implementations/node/rpc-server.ts')).toBe('rpc-server');
    expect(programName('./my driver')).toBe('my');
  });
});
