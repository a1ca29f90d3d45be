/**
 * The harness's side of the client line protocol (scenarios/implementations/PROTOCOL.md):
 * call lines go to a client's stdin, answer lines come back on its stdout, one JSON object
 * per line. Every line that breaks the protocol becomes a named ProtocolViolation value,
 * never an exception, so a broken client is a finding in the result and not a harness crash.
 *
 * The zod schemas here are the source of the committed JSON Schema
 * (scenarios/implementations/client-protocol.schema.json); a test keeps the two equal.
 */
import { z } from 'zod';

/** Longest line, in bytes without its newline, either side may write. fib(10000) has 2090 digits. */
export const MAX_LINE_BYTES = 65_536;

const callId = z
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .meta({ description: 'Chosen by the harness, unique per run; the answer repeats it.' });

export const callLineSchema = z
  .strictObject({
    id: callId,
    n: z.int().min(0).max(Number.MAX_SAFE_INTEGER).meta({
      description:
        'Request fib(n). No two calls in flight at once share n, so a result identifies the call it belongs to.',
    }),
    timeout_ms: z
      .int()
      .min(1)
      .max(Number.MAX_SAFE_INTEGER)
      .meta({ description: 'The client answers "timeout" when it has no reply this long after reading the line.' }),
  })
  .meta({ id: 'request', title: 'call line (harness to client, stdin)' });

const resultAnswerSchema = z.strictObject({
  id: callId,
  result: z
    .string()
    .regex(/^(0|[1-9][0-9]*)$/)
    .meta({ description: 'fib(n) in decimal, no sign, no leading zeros.' }),
});
const errorAnswerSchema = z.strictObject({
  id: callId,
  error: z
    .string()
    .min(1)
    .meta({ description: '"timeout" means: no reply within timeout_ms. Any other text is a failed call.' }),
});

export const clientAnswerSchema = z
  .union([resultAnswerSchema, errorAnswerSchema])
  .meta({ id: 'response', title: 'answer line (client to harness, stdout)' });

/**
 * A client whose reply consumer starts only with its first call says it is ready with this
 * line instead of consuming before it reads stdin.
 */
export const readyLineSchema = z
  .strictObject({
    ready: z.literal(true).meta({
      description:
        'The client reads stdin from now on. An alternative to consuming a reply queue first, ' +
        'for a client whose reply consumer starts only with its first call.',
    }),
  })
  .meta({ id: 'ready', title: 'ready line (client to harness, stdout, before its first answer)' });

export type CallLine = z.infer<typeof callLineSchema>;
export type ClientAnswer = z.infer<typeof clientAnswerSchema>;
export type ReadyLine = z.infer<typeof readyLineSchema>;

/** The error text reserved for "no reply within timeout_ms". */
export const TIMEOUT_ERROR = 'timeout';

/** Named ways a client's stdout line can break the protocol; PROTOCOL.md has one row per kind. */
export const PROTOCOL_VIOLATION_KINDS = [
  'line-too-long',
  'malformed-json',
  'not-an-object',
  'missing-id',
  'unknown-id',
  'answered-twice',
  'not-an-answer',
  'bad-result',
  'bad-error',
] as const;
export type ProtocolViolationKind = (typeof PROTOCOL_VIOLATION_KINDS)[number];

export interface ProtocolViolation {
  readonly violation: ProtocolViolationKind;
  /** What was wrong, for the report. */
  readonly message: string;
  /** The offending line, shortened to at most LINE_EXCERPT_CHARS characters. */
  readonly line: string;
  /** 1-based line number on the client's stdout. */
  readonly lineNumber: number;
  /** The call id the line carried, when it had a usable one. */
  readonly id?: number;
}

export type DecodedClientLine = ClientAnswer | ReadyLine | ProtocolViolation;

export function isProtocolViolation(decoded: DecodedClientLine): decoded is ProtocolViolation {
  return 'violation' in decoded;
}

export function isReadyLine(decoded: DecodedClientLine): decoded is ReadyLine {
  return 'ready' in decoded;
}

const LINE_EXCERPT_CHARS = 200;
const NEWLINE = 0x0a;

/** One call line for a client's stdin, newline included. Throws on an invalid call: that is a harness bug. */
export function encodeCallLine(call: CallLine): string {
  const parsed = callLineSchema.safeParse(call);
  if (!parsed.success) {
    throw new RangeError(`cannot encode call line ${JSON.stringify(call)}: ${z.prettifyError(parsed.error)}`);
  }
  const { id, n, timeout_ms } = parsed.data;
  return `${JSON.stringify({ id, n, timeout_ms })}\n`;
}

export interface ClientLineDecoderOptions {
  /**
   * Ids of the calls written to the client so far. The harness adds an id before it writes
   * the call line, and may keep adding to the same set while the decoder runs.
   */
  readonly sentIds: ReadonlySet<number>;
  readonly maxLineBytes?: number;
}

/**
 * Turns a client's stdout bytes into answers, ready lines and protocol violations, line by line.
 * Bounded: a line longer than maxLineBytes is reported once and skipped up to its newline,
 * never buffered whole.
 */
export class ClientLineDecoder {
  private readonly sentIds: ReadonlySet<number>;
  private readonly maxLineBytes: number;
  private readonly answered = new Set<number>();
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Inside a line already reported as too long: drop bytes until its newline. */
  private skippingLongLine = false;
  private lineNumber = 0;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(options: ClientLineDecoderOptions) {
    this.sentIds = options.sentIds;
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
    if (!Number.isInteger(this.maxLineBytes) || this.maxLineBytes < 1) {
      throw new RangeError(`maxLineBytes must be a positive integer, got ${this.maxLineBytes}`);
    }
  }

  /** Ids that have had an answer line (valid or not). */
  get answeredIds(): ReadonlySet<number> {
    return this.answered;
  }

  /** Feeds a chunk of stdout; returns what the complete lines in it decode to, in order. */
  push(chunk: Uint8Array): DecodedClientLine[] {
    const decoded: DecodedClientLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.append(chunk.subarray(start, end), decoded);
      if (newline === -1) break;
      this.finishLine(decoded);
      start = newline + 1;
    }
    return decoded;
  }

  /** Stdout closed: a last line without its newline still counts. */
  end(): DecodedClientLine[] {
    const decoded: DecodedClientLine[] = [];
    if (this.pendingBytes > 0 || this.skippingLongLine) this.finishLine(decoded);
    return decoded;
  }

  private append(bytes: Uint8Array, decoded: DecodedClientLine[]): void {
    if (this.skippingLongLine || bytes.length === 0) return;
    if (this.pendingBytes + bytes.length > this.maxLineBytes) {
      this.lineNumber++;
      const head = Buffer.concat([...this.pending, bytes]).subarray(0, LINE_EXCERPT_CHARS);
      decoded.push(
        this.violation(
          'line-too-long',
          `line is longer than ${this.maxLineBytes} bytes; it was skipped up to its newline`,
          head.toString('utf8'),
        ),
      );
      this.pending = [];
      this.pendingBytes = 0;
      this.skippingLongLine = true;
      return;
    }
    // Copy: the caller may reuse the chunk's memory.
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  private finishLine(decoded: DecodedClientLine[]): void {
    if (this.skippingLongLine) {
      this.skippingLongLine = false;
      return;
    }
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.lineNumber++;
    decoded.push(this.decodeLine(bytes));
  }

  private decodeLine(bytes: Buffer): DecodedClientLine {
    let text: string;
    try {
      text = this.utf8.decode(bytes);
    } catch {
      return this.violation('malformed-json', 'line is not valid UTF-8', bytes.toString('utf8'));
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);

    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = text.trim() === '' ? 'empty line' : (error as Error).message;
      return this.violation(
        'malformed-json',
        `not JSON (${reason}); stdout carries only answer lines, logs go to stderr`,
        text,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.violation('not-an-object', `expected a JSON object, got ${describeJson(value)}`, text);
    }
    const fields = value as Record<string, unknown>;
    if (readyLineSchema.safeParse(fields).success) return { ready: true };

    const id = fields.id;
    if (id === undefined) return this.violation('missing-id', 'the answer has no "id"', text);
    if (!callId.safeParse(id).success) {
      return this.violation('missing-id', `"id" must be a non-negative integer, got ${JSON.stringify(id)}`, text);
    }
    const callIdValue = id as number;
    if (!this.sentIds.has(callIdValue)) {
      return this.violation('unknown-id', `id ${callIdValue} was never sent to this client`, text, callIdValue);
    }
    if (this.answered.has(callIdValue)) {
      return this.violation('answered-twice', `id ${callIdValue} was already answered`, text, callIdValue);
    }
    this.answered.add(callIdValue);

    const hasResult = 'result' in fields;
    const hasError = 'error' in fields;
    const extraFields = Object.keys(fields).filter((key) => key !== 'id' && key !== 'result' && key !== 'error');
    if (hasResult === hasError || extraFields.length > 0) {
      const why =
        hasResult && hasError
          ? 'has both "result" and "error"'
          : !hasResult && !hasError
            ? 'has neither "result" nor "error"'
            : `has unexpected field(s) ${extraFields.map((key) => JSON.stringify(key)).join(', ')}`;
      return this.violation(
        'not-an-answer',
        `the answer to id ${callIdValue} ${why}; expected {"id","result"} or {"id","error"}`,
        text,
        callIdValue,
      );
    }
    if (hasResult && !resultAnswerSchema.safeParse(fields).success) {
      return this.violation(
        'bad-result',
        '"result" must be fib(n) as a decimal string without sign or leading zeros, ' +
          `got ${JSON.stringify(fields.result)}`,
        text,
        callIdValue,
      );
    }
    if (hasError && !errorAnswerSchema.safeParse(fields).success) {
      return this.violation(
        'bad-error',
        `"error" must be a non-empty string, got ${JSON.stringify(fields.error)}`,
        text,
        callIdValue,
      );
    }
    return clientAnswerSchema.parse(fields);
  }

  private violation(kind: ProtocolViolationKind, message: string, line: string, id?: number): ProtocolViolation {
    const excerpt = line.length > LINE_EXCERPT_CHARS ? `${line.slice(0, LINE_EXCERPT_CHARS)}…` : line;
    return id === undefined
      ? { violation: kind, message, line: excerpt, lineNumber: this.lineNumber }
      : { violation: kind, message, line: excerpt, lineNumber: this.lineNumber, id };
  }
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * The protocol as JSON Schema (draft 2020-12): a line is a request or a response, both in
 * $defs. Generated from the zod schemas above, so the two cannot drift apart.
 */
export function clientProtocolJsonSchema(): Record<string, unknown> {
  const line = z.union([callLineSchema, clientAnswerSchema, readyLineSchema]);
  const generated = z.toJSONSchema(line, { target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: 'https://rpc-chaos.local/schemas/client-protocol.schema.json',
    title: 'rpc-chaos client line protocol',
    description:
      "One JSON object per line: the harness writes requests to the client's stdin, " +
      'the client writes responses to its stdout. See PROTOCOL.md.',
    ...rest,
  };
}
