/**
 * The tutorial's wire format: a request body is the decimal integer n as UTF-8 text, a
 * reply body is the decimal result as text. Errors travel in the `x-error` header (the
 * body then repeats the message), which tutorial clients ignore and ours turn into a
 * rejected call.
 */

export const ERROR_HEADER = 'x-error';
/** Default largest n a server computes: fib(10000) has 2090 digits and takes well under 1 ms. */
export const DEFAULT_MAX_N = 10_000;
/** A request body longer than this cannot be a valid n and is refused without parsing. */
const MAX_REQUEST_BODY_BYTES = 32;

export type DecodedRequest = { ok: true; n: number } | { ok: false; error: string };

export function encodeRequest(n: number): Buffer {
  return Buffer.from(String(n), 'utf8');
}

/** Validates a request body; Python's int() accepts surrounding whitespace and a '+', so do we. */
export function decodeRequest(body: Buffer, maxN: number = DEFAULT_MAX_N): DecodedRequest {
  if (body.length === 0) return { ok: false, error: 'empty request body: expected a decimal integer n' };
  if (body.length > MAX_REQUEST_BODY_BYTES) {
    return { ok: false, error: `request body of ${body.length} bytes is too long: expected a decimal integer n` };
  }
  const plain = plainDecimal(body);
  if (plain !== undefined)
    return plain <= maxN
      ? { ok: true, n: plain }
      : { ok: false, error: `n must be <= ${maxN}, got ${body.toString('utf8')}` };
  const text = body.toString('utf8').trim();
  if (!/^[+-]?\d+$/.test(text)) {
    return { ok: false, error: `request body ${JSON.stringify(printable(text))} is not a decimal integer` };
  }
  const n = Number(text);
  if (n < 0) return { ok: false, error: `n must be >= 0, got ${text}` };
  if (!Number.isSafeInteger(n) || n > maxN) return { ok: false, error: `n must be <= ${maxN}, got ${text}` };
  return { ok: true, n };
}

/** The value of a body of 1 to 15 ASCII digits (every request the tutorial's clients send), else undefined. */
function plainDecimal(body: Buffer): number | undefined {
  if (body.length > 15) return undefined;
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = body[i]! - 48;
    if (digit < 0 || digit > 9) return undefined;
    n = n * 10 + digit;
  }
  return n;
}

export function encodeReply(value: bigint): Buffer {
  return Buffer.from(value.toString(10), 'utf8');
}

/**
 * A failed decode is a `remote-error` (the server's error reply, with the `x-error` header) or a
 * `bad-reply`: a body that is neither, which no correct server sends.
 */
export type DecodedReply =
  | { ok: true; value: bigint }
  | { ok: false; kind: 'remote-error' | 'bad-reply'; error: string };

/** Decodes a reply: an `x-error` header wins; otherwise the body must be a decimal integer. */
export function decodeReply(body: Buffer, headers: Record<string, unknown> | undefined): DecodedReply {
  const remoteError = headers?.[ERROR_HEADER];
  if (remoteError !== undefined) {
    const message = Buffer.isBuffer(remoteError) ? remoteError.toString('utf8') : String(remoteError);
    return { ok: false, kind: 'remote-error', error: `server rejected the request: ${message}` };
  }
  const text = body.toString('utf8').trim();
  if (!/^-?\d+$/.test(text)) {
    return {
      ok: false,
      kind: 'bad-reply',
      error: `reply body ${JSON.stringify(printable(text))} is not a decimal integer`,
    };
  }
  return { ok: true, value: BigInt(text) };
}

function printable(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
