import { describe, expect, it } from 'vitest';
import { decodeReply, decodeRequest, encodeReply, encodeRequest, ERROR_HEADER } from './codec.ts';

const body = (text: string) => Buffer.from(text, 'utf8');

describe('request codec', () => {
  it('encodes n as decimal text, as the tutorial does', () => {
    expect(encodeRequest(30).toString('utf8')).toBe('30');
  });

  it('accepts what Python int() accepts for the tutorial: digits with whitespace or a + sign', () => {
    expect(decodeRequest(body('30'))).toEqual({ ok: true, n: 30 });
    expect(decodeRequest(body(' 7\n'))).toEqual({ ok: true, n: 7 });
    expect(decodeRequest(body('+5'))).toEqual({ ok: true, n: 5 });
  });

  it.each([
    ['', /empty request body/],
    ['abc', /"abc" is not a decimal integer/],
    ['3.5', /not a decimal integer/],
    ['1e3', /not a decimal integer/],
    ['-1', /n must be >= 0, got -1/],
    ['10001', /n must be <= 10000, got 10001/],
    ['9'.repeat(40), /too long/],
  ])('rejects %j with a message saying what is wrong', (text, message) => {
    const decoded = decodeRequest(body(text));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(message);
  });

  it('honours a configured maximum n', () => {
    expect(decodeRequest(body('50'), 40)).toEqual({ ok: false, error: 'n must be <= 40, got 50' });
  });
});

describe('reply codec', () => {
  it('round-trips big results exactly', () => {
    const value = 2880067194370816120n;
    expect(decodeReply(encodeReply(value), undefined)).toEqual({ ok: true, value });
  });

  it('turns an x-error header into an error, whatever the body says', () => {
    const decoded = decodeReply(body('error: n must be >= 0'), { [ERROR_HEADER]: Buffer.from('n must be >= 0') });
    expect(decoded).toEqual({ ok: false, kind: 'remote-error', error: 'server rejected the request: n must be >= 0' });
  });

  it('calls a reply body that is not an integer, without an x-error header, a bad reply', () => {
    expect(decodeReply(body('NaN'), {})).toEqual({
      ok: false,
      kind: 'bad-reply',
      error: 'reply body "NaN" is not a decimal integer',
    });
    expect(decodeReply(body('GARBAGE'), undefined)).toMatchObject({ ok: false, kind: 'bad-reply' });
  });
});
