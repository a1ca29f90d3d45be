import { describe, expect, it } from 'vitest';
import {
  ClientLineDecoder,
  encodeCallLine,
  isProtocolViolation,
  type DecodedClientLine,
  type ProtocolViolationKind,
} from './client-line-protocol.ts';

const bytes = (text: string) => Buffer.from(text, 'utf8');

function decodeAll(text: string, sentIds: number[] = [1, 2, 3]): DecodedClientLine[] {
  const decoder = new ClientLineDecoder({ sentIds: new Set(sentIds) });
  return [...decoder.push(bytes(text)), ...decoder.end()];
}

function violationKinds(decoded: DecodedClientLine[]): Array<ProtocolViolationKind | 'answer'> {
  return decoded.map((line) => (isProtocolViolation(line) ? line.violation : 'answer'));
}

describe('encodeCallLine', () => {
  it('writes one JSON object and a newline, fields in protocol order', () => {
    expect(encodeCallLine({ id: 17, n: 30, timeout_ms: 3000 })).toBe('{"id":17,"n":30,"timeout_ms":3000}\n');
  });

  it('refuses a call the protocol cannot carry, saying which field is wrong', () => {
    expect(() => encodeCallLine({ id: 1, n: -1, timeout_ms: 10 })).toThrow(/n/);
    expect(() => encodeCallLine({ id: 1, n: 3, timeout_ms: 0 })).toThrow(/timeout_ms/);
    expect(() => encodeCallLine({ id: 1.5, n: 3, timeout_ms: 10 })).toThrow(/id/);
  });
});

describe('ClientLineDecoder', () => {
  it('decodes a result and an error answer', () => {
    expect(decodeAll('{"id":1,"result":"832040"}\n{"id":2,"error":"timeout"}\n')).toEqual([
      { id: 1, result: '832040' },
      { id: 2, error: 'timeout' },
    ]);
  });

  it('reads {"ready":true} as the client saying it is ready, anything like it as a broken line', () => {
    expect(decodeAll('{"ready":true}\n{"id":1,"result":"1"}\n')).toEqual([{ ready: true }, { id: 1, result: '1' }]);
    expect(violationKinds(decodeAll('{"ready":false}\n{"ready":true,"id":1}\n{"ready":"yes"}\n'))).toEqual([
      'missing-id',
      'not-an-answer',
      'missing-id',
    ]);
  });

  it('joins a line split across chunks, and several lines in one chunk', () => {
    const decoder = new ClientLineDecoder({ sentIds: new Set([1, 2, 3]) });
    expect(decoder.push(bytes('{"id":1,"res'))).toEqual([]);
    expect(decoder.push(bytes('ult":"1"}\n{"id":2,"result":"1"}\n{"id":3,'))).toEqual([
      { id: 1, result: '1' },
      { id: 2, result: '1' },
    ]);
    expect(decoder.push(bytes('"error":"boom"}\r\n'))).toEqual([{ id: 3, error: 'boom' }]);
    expect(decoder.end()).toEqual([]);
  });

  it('splits a multi-byte character across chunks without corrupting it', () => {
    const decoder = new ClientLineDecoder({ sentIds: new Set([1]) });
    const line = bytes('{"id":1,"error":"zerstört"}\n');
    const cut = line.indexOf(0xc3) + 1; // inside "ö"
    expect([...decoder.push(line.subarray(0, cut)), ...decoder.push(line.subarray(cut))]).toEqual([
      { id: 1, error: 'zerstört' },
    ]);
  });

  it('counts a last line without newline when stdout closes', () => {
    const decoder = new ClientLineDecoder({ sentIds: new Set([1]) });
    expect(decoder.push(bytes('{"id":1,"result":"0"}'))).toEqual([]);
    expect(decoder.end()).toEqual([{ id: 1, result: '0' }]);
  });

  it('accepts an id the harness adds to its set after the decoder was made', () => {
    const sentIds = new Set<number>();
    const decoder = new ClientLineDecoder({ sentIds });
    sentIds.add(9);
    expect(decoder.push(bytes('{"id":9,"result":"34"}\n'))).toEqual([{ id: 9, result: '34' }]);
  });

  it.each<[ProtocolViolationKind, string]>([
    ['malformed-json', ' [x] Requesting fib(30)'],
    ['malformed-json', ''],
    ['malformed-json', '{"id":1,"result":"1"'],
    ['not-an-object', '[1,"1"]'],
    ['not-an-object', 'null'],
    ['not-an-object', '832040'],
    ['missing-id', '{"result":"1"}'],
    ['missing-id', '{"id":"1","result":"1"}'],
    ['missing-id', '{"id":-1,"result":"1"}'],
    ['missing-id', '{"id":1.5,"result":"1"}'],
    ['unknown-id', '{"id":4,"result":"3"}'],
    ['not-an-answer', '{"id":1}'],
    ['not-an-answer', '{"id":1,"result":"1","error":"timeout"}'],
    ['not-an-answer', '{"id":1,"result":"1","correlation_id":"abc"}'],
    ['bad-result', '{"id":1,"result":832040}'],
    ['bad-result', '{"id":1,"result":"-5"}'],
    ['bad-result', '{"id":1,"result":"0832040"}'],
    ['bad-result', '{"id":1,"result":""}'],
    ['bad-error', '{"id":1,"error":""}'],
    ['bad-error', '{"id":1,"error":{"reason":"timeout"}}'],
  ])('names a %s line: %s', (kind, line) => {
    const [decoded] = decodeAll(`${line}\n`);
    expect(decoded).toMatchObject({ violation: kind, lineNumber: 1, line });
    expect(isProtocolViolation(decoded!) && decoded.message.length).toBeGreaterThan(10);
  });

  it('names an invalid UTF-8 line as malformed-json', () => {
    const decoder = new ClientLineDecoder({ sentIds: new Set([1]) });
    expect(decoder.push(Buffer.from([0xff, 0xfe, 0x0a]))).toMatchObject([
      { violation: 'malformed-json', message: /UTF-8/ },
    ]);
  });

  it('names a second answer to the same id, even when the first was itself broken', () => {
    expect(
      violationKinds(
        decodeAll('{"id":1,"result":"1"}\n{"id":1,"result":"1"}\n{"id":2,"result":"x"}\n{"id":2,"result":"1"}\n'),
      ),
    ).toEqual(['answer', 'answered-twice', 'bad-result', 'answered-twice']);
    expect(decodeAll('{"id":1,"error":"timeout"}\n{"id":1,"result":"832040"}\n')[1]).toMatchObject({
      violation: 'answered-twice',
      id: 1,
      lineNumber: 2,
    });
  });

  it('keeps decoding after a violation: one broken line costs one line', () => {
    expect(violationKinds(decodeAll('{"id":1,"result":"1"}\nlog text\n{"id":2,"result":"1"}\n'))).toEqual([
      'answer',
      'malformed-json',
      'answer',
    ]);
  });

  it('reports a line over the limit once, skips it without buffering it, and goes on', () => {
    const decoder = new ClientLineDecoder({ sentIds: new Set([1, 2]), maxLineBytes: 64 });
    const decoded = [
      ...decoder.push(bytes(`{"id":1,"result":"${'1'.repeat(40)}`)),
      ...decoder.push(bytes('1'.repeat(10_000))),
      ...decoder.push(bytes('"}\n{"id":2,"result":"1"}\n')),
      ...decoder.end(),
    ];
    expect(violationKinds(decoded)).toEqual(['line-too-long', 'answer']);
    expect(decoded[0]).toMatchObject({ lineNumber: 1 });
    expect(decoded[1]).toEqual({ id: 2, result: '1' });
    expect((decoded[0] as { line: string }).line.length).toBeLessThanOrEqual(201);
  });

  it('accepts a line of exactly the limit', () => {
    const line = `{"id":1,"result":"${'1'.repeat(10)}"}`;
    const decoder = new ClientLineDecoder({ sentIds: new Set([1]), maxLineBytes: line.length });
    expect(decoder.push(bytes(`${line}\n`))).toEqual([{ id: 1, result: '1'.repeat(10) }]);
  });

  it('reports a too-long last line that never got its newline', () => {
    const decoder = new ClientLineDecoder({ sentIds: new Set([1]), maxLineBytes: 8 });
    expect(violationKinds([...decoder.push(bytes('{"id":1,"result":"12345"}')), ...decoder.end()])).toEqual([
      'line-too-long',
    ]);
  });

  it('numbers lines from 1 across chunks', () => {
    const decoder = new ClientLineDecoder({ sentIds: new Set([1]) });
    decoder.push(bytes('{"id":1,"result":"1"}\n'));
    expect(decoder.push(bytes('oops\n'))).toMatchObject([{ violation: 'malformed-json', lineNumber: 2 }]);
  });

  it('shortens a long offending line in the violation', () => {
    const [decoded] = decodeAll(`${'x'.repeat(1000)}\n`);
    expect(decoded).toMatchObject({ violation: 'malformed-json' });
    expect((decoded as { line: string }).line).toHaveLength(201);
  });
});
