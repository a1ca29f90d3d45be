/**
 * amqplib's own AMQP 0-9-1 frame and method codec, loaded from inside the package. amqplib's
 * `exports` hide `lib/`, so the files are required by absolute path next to the resolved main
 * entry, which bypasses `exports`. This is internal API: `loadAmqpCodec()` checks every function
 * and constant the tap relies on and fails with a message that says what moved, and
 * `amqp-codec.test.ts` pins the behaviour, so an amqplib upgrade that changes it breaks loudly.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The amqplib version whose internals were checked; another version is checked again at load. */
export const PINNED_AMQPLIB_VERSION = '2.3.1';

/** One frame as amqplib's `parseFrame` cuts it: payload and rest are views of the input. */
export interface ParsedFrame {
  readonly type: number;
  readonly channel: number;
  readonly size: number;
  readonly payload: Buffer;
  readonly rest: Buffer;
}

/** The basic-class content properties the tap reports (amqplib's names). */
export interface BasicProperties {
  readonly correlationId?: string;
  readonly replyTo?: string;
  readonly headers?: Record<string, unknown>;
  readonly messageId?: string;
  readonly type?: string;
}

export type MethodFields = Readonly<Record<string, unknown>>;

/** amqplib's `decodeFrame` result: method `{id, fields}`, header `{id, size, fields}`, body `{content}`. */
export interface DecodedFrame {
  readonly channel: number;
  readonly id?: number;
  readonly size?: number;
  readonly fields?: MethodFields;
  readonly content?: Buffer;
}

export interface AmqpCodec {
  readonly version: string;
  /** Cuts one frame off the front of `bin`; false when `bin` holds less than a whole frame. */
  parseFrame(bin: Buffer, maxSize: number): ParsedFrame | false;
  /** Decodes a parsed frame: a method's fields, a content header's size and properties, or a body. */
  decodeFrame(frame: ParsedFrame): DecodedFrame;
  /** Decodes a method's arguments (method id) or a content header's properties (class id). */
  decode(id: number, args: Buffer): MethodFields;
  encodeMethod(id: number, channel: number, fields: Record<string, unknown>): Buffer;
  encodeProperties(classId: number, channel: number, bodySize: number, properties: Record<string, unknown>): Buffer;
  makeBodyFrame(channel: number, payload: Buffer): Buffer;
  readonly protocolHeader: Buffer;
  readonly frame: {
    readonly method: number;
    readonly header: number;
    readonly body: number;
    readonly heartbeat: number;
    readonly end: number;
  };
  /** Method ids (class id << 16 | method id) the tap decodes; everything else is only counted past. */
  readonly method: {
    readonly BasicPublish: number;
    readonly BasicDeliver: number;
    readonly BasicReturn: number;
    readonly BasicGetOk: number;
    readonly BasicAck: number;
    readonly BasicNack: number;
    readonly BasicReject: number;
    readonly BasicConsume: number;
    readonly BasicConsumeOk: number;
    readonly BasicCancel: number;
    readonly BasicCancelOk: number;
    readonly ChannelOpen: number;
    readonly ChannelClose: number;
    readonly ChannelCloseOk: number;
    readonly ConfirmSelect: number;
    readonly ConnectionOpenOk: number;
    readonly ConnectionClose: number;
    readonly ConnectionBlocked: number;
    readonly ConnectionUnblocked: number;
  };
  readonly basicClassId: number;
}

/** The ids fixed by the AMQP 0-9-1 specification: amqplib must agree with them. */
const SPEC_METHOD_IDS = {
  BasicPublish: (60 << 16) | 40,
  BasicDeliver: (60 << 16) | 60,
  BasicReturn: (60 << 16) | 50,
  BasicGetOk: (60 << 16) | 71,
  BasicAck: (60 << 16) | 80,
  BasicNack: (60 << 16) | 120,
  BasicReject: (60 << 16) | 90,
  BasicConsume: (60 << 16) | 20,
  BasicConsumeOk: (60 << 16) | 21,
  BasicCancel: (60 << 16) | 30,
  BasicCancelOk: (60 << 16) | 31,
  ChannelOpen: (20 << 16) | 10,
  ChannelClose: (20 << 16) | 40,
  ChannelCloseOk: (20 << 16) | 41,
  ConfirmSelect: (85 << 16) | 10,
  ConnectionOpenOk: (10 << 16) | 41,
  ConnectionClose: (10 << 16) | 50,
  ConnectionBlocked: (10 << 16) | 60,
  ConnectionUnblocked: (10 << 16) | 61,
} as const;

let loaded: AmqpCodec | undefined;

/** Loads and checks amqplib's codec once per process. */
export function loadAmqpCodec(): AmqpCodec {
  loaded ??= load();
  return loaded;
}

function load(): AmqpCodec {
  const require = createRequire(import.meta.url);
  const main = require.resolve('amqplib');
  const root = dirname(main);
  const advice =
    "the AMQP frame tap uses amqplib's internal lib/frame.js and lib/defs.js " +
    `(checked with amqplib ${PINNED_AMQPLIB_VERSION}); ` +
    `pin amqplib to ${PINNED_AMQPLIB_VERSION} or adapt harness/tap/amqp-codec.ts`;
  let frame: Record<string, unknown>;
  let defs: Record<string, unknown>;
  let version: string;
  try {
    frame = require(join(root, 'lib', 'frame.js')) as Record<string, unknown>;
    defs = require(join(root, 'lib', 'defs.js')) as Record<string, unknown>;
    version = String((require(join(root, 'package.json')) as { version?: unknown }).version);
  } catch (error) {
    throw new Error(`cannot load amqplib's codec from ${root}: ${(error as Error).message}; ${advice}`);
  }
  const problems: string[] = [];
  const fn = (module: Record<string, unknown>, file: string, name: string) => {
    if (typeof module[name] !== 'function') problems.push(`${file} has no function ${name}`);
    return module[name] as (...args: never[]) => unknown;
  };
  const parseFrame = fn(frame, 'lib/frame.js', 'parseFrame');
  const makeBodyFrame = fn(frame, 'lib/frame.js', 'makeBodyFrame');
  const decodeFrame = fn(frame, 'lib/frame.js', 'decodeFrame');
  const decode = fn(defs, 'lib/defs.js', 'decode');
  const encodeMethod = fn(defs, 'lib/defs.js', 'encodeMethod');
  const encodeProperties = fn(defs, 'lib/defs.js', 'encodeProperties');
  for (const [name, id] of Object.entries(SPEC_METHOD_IDS)) {
    if (defs[name] !== id) problems.push(`lib/defs.js ${name} is ${String(defs[name])}, the specification says ${id}`);
  }
  if (defs.BasicProperties !== 60)
    problems.push(`lib/defs.js BasicProperties is ${String(defs.BasicProperties)}, expected 60`);
  const constants = (defs.constants ?? {}) as Record<string, unknown>;
  const expectedConstants = { FRAME_METHOD: 1, FRAME_HEADER: 2, FRAME_BODY: 3, FRAME_HEARTBEAT: 8, FRAME_END: 206 };
  for (const [name, value] of Object.entries(expectedConstants)) {
    if (constants[name] !== value)
      problems.push(`lib/defs.js constants.${name} is ${String(constants[name])}, expected ${value}`);
  }
  if (frame.PROTOCOL_HEADER !== 'AMQP\x00\x00\x09\x01') problems.push('lib/frame.js PROTOCOL_HEADER is not AMQP 0-9-1');
  if (problems.length > 0)
    throw new Error(`amqplib ${version}'s codec is not what the frame tap expects: ${problems.join('; ')}; ${advice}`);

  return {
    version,
    parseFrame: parseFrame as unknown as AmqpCodec['parseFrame'],
    decodeFrame: decodeFrame as unknown as AmqpCodec['decodeFrame'],
    decode: decode as unknown as AmqpCodec['decode'],
    encodeMethod: encodeMethod as unknown as AmqpCodec['encodeMethod'],
    encodeProperties: encodeProperties as unknown as AmqpCodec['encodeProperties'],
    makeBodyFrame: makeBodyFrame as unknown as AmqpCodec['makeBodyFrame'],
    protocolHeader: Buffer.from(frame.PROTOCOL_HEADER as string, 'latin1'),
    frame: { method: 1, header: 2, body: 3, heartbeat: 8, end: 206 },
    method: SPEC_METHOD_IDS,
    basicClassId: 60,
  };
}
