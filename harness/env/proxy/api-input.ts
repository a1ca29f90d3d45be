import { apiErrors } from './api-error.ts';

/**
 * Request bodies read the way Toxiproxy's Go decoder reads them, so a bad body gets the
 * same kind of `bad request body: json: ...` error: field names match case-insensitively,
 * null means "not given", and a value of the wrong JSON type is a decoder error.
 */

type JsonObject = Record<string, unknown>;

/** The Go decoder's word for a JSON value's type. */
function goTypeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw apiErrors.badBody('EOF');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const first = text.trim()[0] ?? '';
    if (!/[{["\-0-9tfn]/.test(first))
      throw apiErrors.badBody(`invalid character '${first}' looking for beginning of value`);
    throw apiErrors.badBody('unexpected EOF');
  }
}

export function asObject(value: unknown, goType: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw apiErrors.badBody(`json: cannot unmarshal ${goTypeOf(value)} into Go value of type ${goType}`);
  }
  return value as JsonObject;
}

/** A field as Go finds it: exact name first, then any case; null counts as absent. */
export function field(object: JsonObject, name: string): unknown {
  if (name in object) return object[name] ?? undefined;
  const key = Object.keys(object).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : (object[key] ?? undefined);
}

function typed<T>(
  object: JsonObject,
  name: string,
  goStruct: string,
  goType: string,
  check: (value: unknown) => value is T,
): T | undefined {
  const value = field(object, name);
  if (value === undefined || check(value)) return value;
  throw apiErrors.badBody(
    `json: cannot unmarshal ${goTypeOf(value)} into Go struct field ${goStruct}.${name} of type ${goType}`,
  );
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isNumber = (value: unknown): value is number => typeof value === 'number';

export interface ProxyFields {
  readonly name: string | undefined;
  readonly listen: string | undefined;
  readonly upstream: string | undefined;
  readonly enabled: boolean | undefined;
}

export function proxyFields(body: unknown): ProxyFields {
  const object = asObject(body, 'toxiproxy.Proxy');
  return {
    name: typed(object, 'name', 'Proxy', 'string', isString),
    listen: typed(object, 'listen', 'Proxy', 'string', isString),
    upstream: typed(object, 'upstream', 'Proxy', 'string', isString),
    enabled: typed(object, 'enabled', 'Proxy', 'bool', isBoolean),
  };
}

export interface ToxicFields {
  readonly name: string | undefined;
  readonly type: string | undefined;
  readonly stream: string | undefined;
  readonly toxicity: number | undefined;
  readonly attributes: unknown;
}

export function toxicFields(body: unknown): ToxicFields {
  const object = asObject(body, 'toxics.ToxicWrapper');
  return {
    name: typed(object, 'name', 'ToxicWrapper', 'string', isString),
    type: typed(object, 'type', 'ToxicWrapper', 'string', isString),
    stream: typed(object, 'stream', 'ToxicWrapper', 'string', isString),
    toxicity: typed(object, 'toxicity', 'ToxicWrapper', 'float32', isNumber),
    attributes: field(object, 'attributes'),
  };
}

/** Known attributes only (Toxiproxy ignores unknown ones), each an integer as Go's int64 fields demand. */
export function toxicAttributes(
  value: unknown,
  type: string,
  known: Readonly<Record<string, number>>,
): Record<string, number> {
  if (value === undefined) return {};
  const goStruct = `toxics.${type}`;
  const object = asObject(value, goStruct);
  const attributes: Record<string, number> = {};
  for (const name of Object.keys(known)) {
    const raw = field(object, name);
    if (raw === undefined) continue;
    if (typeof raw !== 'number' || !Number.isInteger(raw)) {
      const what = typeof raw === 'number' ? `number ${raw}` : goTypeOf(raw);
      throw apiErrors.badBody(
        `json: cannot unmarshal ${what} into Go struct field ${goStruct}.attributes.${name} of type int64`,
      );
    }
    attributes[name] = raw;
  }
  return attributes;
}
