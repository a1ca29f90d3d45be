import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivateRabbitNode, type StartedPrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { runCli, runScenarioCli } from '../impl/command/test/run-cli.ts';

const USER = 'chaos-user';
/** Unique, so any leak of it (raw, percent-encoded, cut after an "@") is found by its middle part. */
const SECRET = randomUUID();
/** Characters a URL must percent-encode, so the run takes both spellings through its code. */
const PASSWORD = `p@ss/w:rd-${SECRET}`;

let node: StartedPrivateRabbitNode;
const scratch = mkdtempSync(join(tmpdir(), 'rpc-chaos-redaction-'));

beforeAll(async () => {
  node = await new PrivateRabbitNode().start();
  await node.rabbitmqctl(['add_user', USER, PASSWORD]);
  await node.rabbitmqctl(['set_permissions', '-p', '/', USER, '.*', '.*', '.*']);
}, 120_000);

afterAll(async () => {
  await node?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function amqpUrl(password: string): string {
  return `amqp://${USER}:${encodeURIComponent(password)}@127.0.0.1:${node.getAmqpPort()}`;
}

/** Every file under `dir`, with its path, as text. */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const path = join(entry.parentPath, entry.name);
      return { path, text: readFileSync(path, 'utf8') };
    });
}

describe('credentials in every output of a run', { timeout: 150_000 }, () => {
  it(
    'a run with a password in AMQP_URL writes it to no file and prints it nowhere, ' + 'and says whose broker it used',
    async () => {
      const out = join(scratch, 'run');
      const run = await runCli(amqpUrl(PASSWORD), ['baseline', '--duration', '1s', '--out', out]);
      // Exit 0: the run connected with these credentials, the only ones the broker accepts for this user.
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      const files = filesUnder(out);
      expect(files.map((file) => file.path.slice(out.length + 1))).toEqual(
        expect.arrayContaining(['result.json', 'summary.md', 'report.html', 'junit.xml']),
      );
      for (const { path, text } of [
        ...files,
        { path: 'stdout', text: run.stdout },
        { path: 'stderr', text: run.stderr },
      ]) {
        expect(text.includes(SECRET), `${path} carries the password`).toBe(false);
        expect(path.includes(SECRET), `${path} names the password`).toBe(false);
      }
      const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as ScenarioResult;
      expect(result.counters.answered).toBeGreaterThan(0);
      expect(JSON.stringify(result.environment)).toContain(`${USER}:***@127.0.0.1:${node.getAmqpPort()}`);
    },
  );

  it('a refused login names the broker with the password replaced', async () => {
    const wrong = `wrong-${randomUUID()}`;
    const run = await runCli(amqpUrl(wrong), ['baseline', '--duration', '1s', '--out', join(scratch, 'refused')]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(2);
    expect(run.stderr).toContain(`could not connect to AMQP_URL amqp://${USER}:***@127.0.0.1:${node.getAmqpPort()}`);
    expect(`${run.stdout}${run.stderr}`).not.toContain(wrong.slice('wrong-'.length));
  });

  it(
    'a Toxiproxy URL with a password, which fetch refuses and repeats whole, ' +
      'is printed with the password replaced',
    async () => {
      const toxiproxyUrl = `http://admin:${SECRET}@127.0.0.1:8474`;
      const run = await runScenarioCli(
        [
          'baseline',
          '--duration',
          '1s',
          '--broker',
          'url',
          '--proxy',
          'toxiproxy',
          '--out',
          join(scratch, 'toxiproxy'),
        ],
        { AMQP_URL: amqpUrl(PASSWORD), TOXIPROXY_URL: toxiproxyUrl },
      );
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(2);
      expect(run.stderr).toContain(
        'Toxiproxy at TOXIPROXY_URL=http://admin:***@127.0.0.1:8474/ did not answer GET /version: ',
      );
      expect(run.stderr).toContain('http://admin:***@127.0.0.1:8474/version');
      expect(`${run.stdout}${run.stderr}`).not.toContain(SECRET);
    },
  );
});
