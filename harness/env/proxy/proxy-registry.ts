import { ApiError, apiErrors } from './api-error.ts';
import { proxyFields, toxicAttributes, toxicFields, type ProxyFields } from './api-input.ts';
import { Proxy } from './proxy.ts';
import { ToxicWrapper } from './toxic-wrapper.ts';
import { TOXICS } from './toxics/registry.ts';

/** Where an omitted listen address binds. Toxiproxy binds all interfaces; we keep to loopback. */
const DEFAULT_LISTEN = '127.0.0.1:0';

/** The proxies of one API server: what the HTTP layer calls, with Toxiproxy's checks and errors. */
export class ProxyRegistry {
  private readonly proxies = new Map<string, Proxy>();
  /**
   * Changes that await a listener run one at a time, as under Toxiproxy's collection lock, so two creates of one name
   * cannot both bind.
   */
  private changes: Promise<unknown> = Promise.resolve();

  private exclusive<T>(change: () => Promise<T>): Promise<T> {
    const result = this.changes.then(change);
    this.changes = result.catch(() => undefined);
    return result;
  }

  all(): Proxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw apiErrors.proxyNotFound();
    return proxy;
  }

  create(body: unknown): Promise<Proxy> {
    const valid = validProxy(body, '');
    return this.exclusive(() => this.createValid(valid));
  }

  private async createValid({ name, upstream, listen, enabled }: ValidProxy): Promise<Proxy> {
    if (this.proxies.has(name)) throw apiErrors.proxyExists();
    const proxy = new Proxy(name, listen, upstream, false);
    if (enabled) await proxy.start();
    this.proxies.set(name, proxy);
    return proxy;
  }

  /** Omitted fields keep their values; a new listen or upstream restarts the listener. */
  update(name: string, body: unknown): Promise<Proxy> {
    this.get(name);
    const input = proxyFields(body);
    return this.exclusive(() => this.updateNow(name, input));
  }

  private async updateNow(name: string, input: ProxyFields): Promise<Proxy> {
    const proxy = this.get(name);
    const listen = input.listen ?? proxy.listen;
    const upstream = input.upstream ?? proxy.upstream;
    const enabled = input.enabled ?? proxy.enabled;
    const restart = listen !== proxy.listen || upstream !== proxy.upstream;
    if (restart || !enabled) await proxy.stop();
    proxy.listen = listen;
    proxy.upstream = upstream;
    // Like Toxiproxy, a failed listen leaves the proxy disabled with the bad address stored.
    if (enabled && (restart || !proxy.enabled)) await proxy.start();
    return proxy;
  }

  remove(name: string): Promise<void> {
    this.get(name);
    return this.exclusive(() => this.removeNow(name));
  }

  private async removeNow(name: string): Promise<void> {
    const proxy = this.get(name);
    await proxy.stop();
    this.proxies.delete(name);
  }

  /** Validates every entry first; then creates, keeps (same config) or replaces each. */
  populate(inputs: unknown): Promise<{ proxies: Proxy[]; error?: ApiError }> {
    if (!Array.isArray(inputs))
      throw apiErrors.badBody('json: cannot unmarshal object into Go value of type []proxy.Proxy');
    const entries = inputs.map((input: unknown, index) => validProxy(input, ` at proxy ${index + 1}`));
    return this.exclusive(() => this.populateNow(entries));
  }

  private async populateNow(entries: ValidProxy[]): Promise<{ proxies: Proxy[]; error?: ApiError }> {
    const done: Proxy[] = [];
    for (const entry of entries) {
      try {
        const existing = this.proxies.get(entry.name);
        if (existing && existing.listen === entry.listen && existing.upstream === entry.upstream) {
          done.push(existing);
          continue;
        }
        if (existing) await this.removeNow(entry.name);
        done.push(await this.createValid(entry));
      } catch (error) {
        if (error instanceof ApiError) return { proxies: done, error };
        throw error;
      }
    }
    return { proxies: done };
  }

  /**
   * Enables every proxy again and removes every toxic; open connections survive. As in
   * Toxiproxy, a proxy that cannot listen stops the reset there with its listen error.
   */
  reset(): Promise<void> {
    return this.exclusive(async () => {
      for (const proxy of this.proxies.values()) {
        if (!proxy.enabled) await proxy.start();
        proxy.removeAllToxics();
      }
    });
  }

  /** Toxiproxy's order of checks: body, stream, type, duplicate name, attribute types. */
  addToxic(proxyName: string, body: unknown): ToxicWrapper {
    const proxy = this.get(proxyName);
    const input = toxicFields(body);
    const streamAsGiven = input.stream ?? 'downstream';
    const stream = streamAsGiven.toLowerCase();
    if (stream !== 'upstream' && stream !== 'downstream') throw apiErrors.invalidStream();
    const behaviour = TOXICS.get(input.type ?? '');
    if (!behaviour) throw apiErrors.invalidToxicType();
    // Toxiproxy names it from the stream as spelled in the request.
    const name = input.name || `${behaviour.type}_${streamAsGiven}`;
    if (proxy.hasToxic(name)) throw apiErrors.toxicExists();
    const attributes = {
      ...behaviour.attributes,
      ...toxicAttributes(input.attributes, behaviour.type, behaviour.attributes),
    };
    const toxic = new ToxicWrapper(name, behaviour, stream, streamAsGiven, input.toxicity ?? 1, attributes);
    proxy.addToxic(toxic);
    return toxic;
  }

  /** Only attributes (merged) and toxicity apply; name, type and stream in the body are ignored. */
  updateToxic(proxyName: string, toxicName: string, body: unknown): ToxicWrapper {
    const proxy = this.get(proxyName);
    const current = proxy.getToxic(toxicName);
    const input = toxicFields(body);
    const attributes =
      input.attributes === undefined
        ? undefined
        : toxicAttributes(input.attributes, current.type, current.behaviour.attributes);
    return proxy.updateToxic(toxicName, { attributes, toxicity: input.toxicity });
  }

  stopAll(): Promise<void> {
    return this.exclusive(async () => {
      await Promise.all(this.all().map((proxy) => proxy.stop()));
      this.proxies.clear();
    });
  }
}

interface ValidProxy {
  readonly name: string;
  readonly upstream: string;
  readonly listen: string;
  readonly enabled: boolean;
}

function validProxy(body: unknown, missingFieldSuffix: string): ValidProxy {
  const input = proxyFields(body);
  if (!input.name) throw apiErrors.missingField('name', missingFieldSuffix);
  if (!input.upstream) throw apiErrors.missingField('upstream', missingFieldSuffix);
  return {
    name: input.name,
    upstream: input.upstream,
    listen: input.listen || DEFAULT_LISTEN,
    enabled: input.enabled ?? true,
  };
}
