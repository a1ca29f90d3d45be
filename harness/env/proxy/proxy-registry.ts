import { ApiError, apiErrors } from './api-error.ts';
import { Proxy } from './proxy.ts';
import type { Stream, ToxicConfig } from './toxic-config.ts';
import { TOXICS } from './toxics/registry.ts';

export interface ProxyInput {
  name?: unknown;
  listen?: unknown;
  upstream?: unknown;
  enabled?: unknown;
}

export interface ToxicInput {
  name?: unknown;
  type?: unknown;
  stream?: unknown;
  toxicity?: unknown;
  attributes?: unknown;
}

/** Where an omitted listen address binds. Toxiproxy binds all interfaces; we keep to loopback. */
const DEFAULT_LISTEN = '127.0.0.1:0';

/** The proxies of one API server: what the HTTP layer calls, with Toxiproxy's checks and errors. */
export class ProxyRegistry {
  private readonly proxies = new Map<string, Proxy>();

  all(): Proxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw apiErrors.proxyNotFound();
    return proxy;
  }

  async create(input: ProxyInput, missingFieldSuffix = ''): Promise<Proxy> {
    const { name, upstream, listen, enabled } = validateProxyInput(input, missingFieldSuffix);
    if (this.proxies.has(name)) throw apiErrors.proxyExists();
    const proxy = new Proxy(name, listen, upstream, false);
    if (enabled) await proxy.start();
    this.proxies.set(name, proxy);
    return proxy;
  }

  /** Omitted fields keep their values; a new listen or upstream restarts the listener. */
  async update(name: string, input: ProxyInput): Promise<Proxy> {
    const proxy = this.get(name);
    const listen = typeof input.listen === 'string' ? input.listen : proxy.listen;
    const upstream = typeof input.upstream === 'string' ? input.upstream : proxy.upstream;
    const enabled = typeof input.enabled === 'boolean' ? input.enabled : proxy.enabled;
    const restart = listen !== proxy.listen || upstream !== proxy.upstream;
    if (restart || !enabled) await proxy.stop();
    proxy.listen = listen;
    proxy.upstream = upstream;
    // Like Toxiproxy, a failed listen leaves the proxy disabled with the bad address stored.
    if (enabled && (restart || !proxy.enabled)) await proxy.start();
    return proxy;
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    await proxy.stop();
    this.proxies.delete(name);
  }

  /** Validates every entry first; then creates, keeps (same config) or replaces each. */
  async populate(inputs: unknown): Promise<{ proxies: Proxy[]; error?: ApiError }> {
    if (!Array.isArray(inputs)) throw apiErrors.badBody('json: cannot unmarshal object into Go value of type []proxy.Proxy');
    const entries = inputs.map((input: ProxyInput, index) => validateProxyInput(input, ` at proxy ${index + 1}`));
    const done: Proxy[] = [];
    for (const entry of entries) {
      try {
        const existing = this.proxies.get(entry.name);
        if (existing && existing.listen === entry.listen && existing.upstream === entry.upstream) {
          done.push(existing);
          continue;
        }
        if (existing) await this.remove(entry.name);
        done.push(await this.create(entry));
      } catch (error) {
        if (error instanceof ApiError) return { proxies: done, error };
        throw error;
      }
    }
    return { proxies: done };
  }

  /** Removes every toxic and enables every proxy again; open connections survive. */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      proxy.removeAllToxics();
      if (!proxy.enabled) await proxy.start().catch(() => undefined);
    }
  }

  addToxic(proxyName: string, input: ToxicInput): ToxicConfig {
    const proxy = this.get(proxyName);
    const toxic = buildToxic(input);
    if (proxy.toxics().some((t) => t.name === toxic.name)) throw apiErrors.toxicExists();
    proxy.addToxic(toxic);
    return toxic;
  }

  updateToxic(proxyName: string, toxicName: string, input: ToxicInput): ToxicConfig {
    const proxy = this.get(proxyName);
    const current = proxy.getToxic(toxicName);
    const attributes = input.attributes === undefined ? undefined : numericAttributes(input.attributes, current.type);
    const toxicity = input.toxicity === undefined ? undefined : toxicityOf(input.toxicity);
    return proxy.updateToxic(toxicName, { attributes, toxicity });
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all().map((proxy) => proxy.stop()));
    this.proxies.clear();
  }
}

function validateProxyInput(input: ProxyInput, suffix: string): { name: string; upstream: string; listen: string; enabled: boolean } {
  if (typeof input !== 'object' || input === null) throw apiErrors.badBody('json: cannot unmarshal into Go value of type proxy.Proxy');
  if (typeof input.name !== 'string' || input.name === '') throw apiErrors.missingField('name', suffix);
  if (typeof input.upstream !== 'string' || input.upstream === '') throw apiErrors.missingField('upstream', suffix);
  const listen = typeof input.listen === 'string' && input.listen !== '' ? input.listen : DEFAULT_LISTEN;
  return { name: input.name, upstream: input.upstream, listen, enabled: input.enabled !== false };
}

/** Toxiproxy's order of checks: stream, type, (duplicate, by the caller), attribute types. */
function buildToxic(input: ToxicInput): ToxicConfig {
  const streamAsGiven = input.stream === undefined ? 'downstream' : String(input.stream);
  const stream = streamAsGiven.toLowerCase();
  if (stream !== 'upstream' && stream !== 'downstream') throw apiErrors.invalidStream();
  const behaviour = typeof input.type === 'string' ? TOXICS.get(input.type) : undefined;
  if (!behaviour) throw apiErrors.invalidToxicType();
  const name = typeof input.name === 'string' && input.name !== '' ? input.name : `${behaviour.type}_${stream}`;
  const attributes = { ...behaviour.attributes, ...(input.attributes === undefined ? {} : numericAttributes(input.attributes, behaviour.type)) };
  return {
    name,
    type: behaviour.type,
    stream: stream as Stream,
    streamAsGiven,
    toxicity: input.toxicity === undefined ? 1 : toxicityOf(input.toxicity),
    attributes,
    behaviour,
    generation: 0,
  };
}

function numericAttributes(value: unknown, type: string): Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw apiErrors.badBody(`json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go struct field of type toxics.${type}`);
  }
  const known = TOXICS.get(type)?.attributes ?? {};
  const attributes: Record<string, number> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (!(key in known)) continue; // unknown attributes are ignored, as in Toxiproxy
    if (typeof raw !== 'number') throw apiErrors.badBody(`json: cannot unmarshal ${typeof raw} into Go struct field ${key} of type int64`);
    attributes[key] = raw;
  }
  return attributes;
}

function toxicityOf(value: unknown): number {
  if (typeof value !== 'number') throw apiErrors.badBody(`json: cannot unmarshal ${typeof value} into Go struct field ToxicWrapper.toxicity of type float32`);
  return value;
}
