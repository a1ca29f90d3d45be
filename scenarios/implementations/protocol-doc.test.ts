/**
 * PROTOCOL.md, client-protocol.schema.json and harness/impl/command/client-line-protocol.ts say the
 * same thing: the schema file is generated from the zod schemas, every example line in the
 * document decodes as the document says, and the error table names every violation kind.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  callLineSchema,
  ClientLineDecoder,
  clientAnswerSchema,
  clientProtocolJsonSchema,
  isProtocolViolation,
  isReadyLine,
  PROTOCOL_VIOLATION_KINDS,
  readyLineSchema,
} from '../../harness/impl/command/client-line-protocol.ts';
import { fib } from '../../harness/rpc/fib.ts';

const protocolDoc = readFileSync(new URL('./PROTOCOL.md', import.meta.url), 'utf8');

function fencedBlocks(language: string): string[] {
  return [...protocolDoc.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map(
    (match) => match[1]!,
  );
}

function section(title: string): string {
  const start = protocolDoc.indexOf(`\n${title}\n`);
  if (start === -1) throw new Error(`PROTOCOL.md has no section "${title}"`);
  const next = protocolDoc.slice(start + title.length + 2).search(/^#{1,3} /m);
  return next === -1 ? protocolDoc.slice(start) : protocolDoc.slice(start, start + title.length + 2 + next);
}

describe('PROTOCOL.md and client-protocol.schema.json', () => {
  it(
    'the committed JSON Schema is the one generated from the zod schemas ' +
      '(regenerate: npx vitest run scenarios/implementations/protocol-doc.test.ts -u)',
    async () => {
      await expect(`${JSON.stringify(clientProtocolJsonSchema(), null, 2)}\n`).toMatchFileSnapshot(
        './client-protocol.schema.json',
      );
    },
  );

  it('the JSON Schema is draft 2020-12 with a request, a response and a ready definition', () => {
    const schema = JSON.parse(
      readFileSync(new URL('./client-protocol.schema.json', import.meta.url), 'utf8'),
    ) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.$defs as object).sort()).toEqual(['ready', 'request', 'response']);
    expect(schema.anyOf).toEqual([
      { $ref: '#/$defs/request' },
      { $ref: '#/$defs/response' },
      { $ref: '#/$defs/ready' },
    ]);
  });

  it(
    'the complete exchange is valid: ' +
      'calls parse, every answer decodes, results are fib(n), each call answered once',
    () => {
      const [exchange] = fencedBlocks('text');
      const sentIds = new Set<number>();
      const decoder = new ClientLineDecoder({ sentIds });
      const nById = new Map<number, number>();
      const answered: number[] = [];
      for (const line of exchange!.split('\n').filter((text) => /^std(in|out) /.test(text))) {
        const json = line.replace(/^std(in|out) +/, '');
        if (line.startsWith('stdin')) {
          const call = callLineSchema.parse(JSON.parse(json));
          sentIds.add(call.id);
          nById.set(call.id, call.n);
          continue;
        }
        const [decoded] = decoder.push(Buffer.from(`${json}\n`));
        if (decoded === undefined || isProtocolViolation(decoded) || isReadyLine(decoded))
          throw new Error(`example line ${json} does not decode: ${JSON.stringify(decoded)}`);
        if ('result' in decoded) expect(decoded.result).toBe(fib(nById.get(decoded.id)!).toString());
        answered.push(decoded.id);
      }
      expect(answered.sort()).toEqual([...sentIds].sort());
      expect(answered.length).toBeGreaterThanOrEqual(3);
    },
  );

  it('every JSON line in the client table passes the zod schema', () => {
    const examples = [...section('## Clients').matchAll(/^\| [^|]+ \| `(\{[^`]+\})` \|/gm)].map((match) => match[1]!);
    expect(examples).toEqual([
      '{"id":17,"n":30,"timeout_ms":3000}',
      '{"id":17,"result":"832040"}',
      '{"id":17,"error":"timeout"}',
      '{"ready":true}',
    ]);
    expect(callLineSchema.safeParse(JSON.parse(examples[0]!)).success).toBe(true);
    for (const answer of examples.slice(1, 3))
      expect(clientAnswerSchema.safeParse(JSON.parse(answer)).success).toBe(true);
    expect(readyLineSchema.safeParse(JSON.parse(examples[3]!)).success).toBe(true);
    // The harness reads it as readiness, not as a broken answer.
    const decoder = new ClientLineDecoder({ sentIds: new Set() });
    expect(decoder.push(Buffer.from(`${examples[3]}\n`))).toEqual([{ ready: true }]);
  });

  it('the error table names every violation kind once, and each example line decodes to its kind', () => {
    const rows = [...section('### A broken line is a named error').matchAll(/^\| `([a-z-]+)` \| (.+?) \| .+ \|$/gm)];
    expect(rows.map((row) => row[1])).toEqual([...PROTOCOL_VIOLATION_KINDS]);
    for (const [, kind, example] of rows) {
      const literal = /^`(.*)`$/.exec(example!)?.[1];
      if (literal === undefined) continue; // line-too-long has a description, not a literal line
      // As the table says: calls 1 (n=30), 2 and 3 were sent and call 1 is answered.
      const decoder = new ClientLineDecoder({ sentIds: new Set([1, 2, 3]) });
      decoder.push(Buffer.from(`{"id":1,"result":"${fib(30)}"}\n`));
      expect(decoder.push(Buffer.from(`${literal}\n`)), `example for ${kind}`).toMatchObject([{ violation: kind }]);
    }
  });

  it('shows one short driver in Python and one in Node', () => {
    const drivers = [...fencedBlocks('python'), ...fencedBlocks('js')];
    expect(drivers).toHaveLength(2);
    for (const driver of drivers) expect(driver.split('\n').length).toBeLessThanOrEqual(40);
  });
});
