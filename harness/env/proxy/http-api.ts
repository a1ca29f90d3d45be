import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, apiErrors } from './api-error.ts';
import { parseJsonBody } from './api-input.ts';
import type { ProxyRegistry } from './proxy-registry.ts';

/** The Toxiproxy API version this server implements. */
export const TOXIPROXY_API_VERSION = '2.12.0';
const MAX_BODY_BYTES = 1024 * 1024;

type Handler = (registry: ProxyRegistry, params: string[], body: () => Promise<unknown>) => Promise<Reply>;
type Reply = { status: number; json?: unknown; raw?: { body: string; contentType: string } };

/** Routes exactly as Toxiproxy 2.x's: a thin layer over the registry. */
const ROUTES: Array<{ pattern: RegExp; methods: Record<string, Handler> }> = [
  {
    pattern: /^\/version$/,
    methods: {
      GET: async () => ({
        status: 200,
        raw: { body: `{"version": "${TOXIPROXY_API_VERSION}"}\n`, contentType: 'application/json;charset=utf-8' },
      }),
    },
  },
  {
    pattern: /^\/reset$/,
    methods: {
      POST: async (registry) => {
        await registry.reset();
        return { status: 204 };
      },
    },
  },
  {
    pattern: /^\/populate$/,
    methods: {
      POST: async (registry, _params, body) => {
        const result = await registry.populate(await body());
        const proxies = result.proxies.length > 0 ? result.proxies.map((p) => p.toJson()) : null;
        if (result.error) throw Object.assign(result.error, { populateProxies: proxies });
        return { status: 201, json: { proxies } };
      },
    },
  },
  {
    pattern: /^\/proxies$/,
    methods: {
      GET: async (registry) => ({
        status: 200,
        json: Object.fromEntries(registry.all().map((p) => [p.name, p.toJson()])),
      }),
      POST: async (registry, _params, body) => ({ status: 201, json: (await registry.create(await body())).toJson() }),
    },
  },
  {
    pattern: /^\/proxies\/([^/]+)$/,
    methods: {
      GET: async (registry, [name]) => ({ status: 200, json: registry.get(name!).toJson() }),
      POST: async (registry, [name], body) => updateProxy(registry, name!, body),
      PATCH: async (registry, [name], body) => updateProxy(registry, name!, body),
      DELETE: async (registry, [name]) => {
        await registry.remove(name!);
        return { status: 204 };
      },
    },
  },
  {
    pattern: /^\/proxies\/([^/]+)\/toxics$/,
    methods: {
      GET: async (registry, [name]) => ({ status: 200, json: registry.get(name!).toxicsJson() }),
      // Toxiproxy answers 200, not 201, to a created toxic.
      POST: async (registry, [name], body) => {
        registry.get(name!);
        return { status: 200, json: registry.addToxic(name!, await body()).toJson() };
      },
    },
  },
  {
    pattern: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
    methods: {
      GET: async (registry, [name, toxic]) => ({ status: 200, json: registry.get(name!).getToxic(toxic!).toJson() }),
      POST: async (registry, [name, toxic], body) => updateToxic(registry, name!, toxic!, body),
      PATCH: async (registry, [name, toxic], body) => updateToxic(registry, name!, toxic!, body),
      DELETE: async (registry, [name, toxic]) => {
        registry.get(name!).removeToxic(toxic!);
        return { status: 204 };
      },
    },
  },
];

async function updateProxy(registry: ProxyRegistry, name: string, body: () => Promise<unknown>): Promise<Reply> {
  registry.get(name);
  return { status: 200, json: (await registry.update(name, await body())).toJson() };
}

async function updateToxic(
  registry: ProxyRegistry,
  name: string,
  toxic: string,
  body: () => Promise<unknown>,
): Promise<Reply> {
  registry.get(name).getToxic(toxic);
  return { status: 200, json: registry.updateToxic(name, toxic, await body()).toJson() };
}

/** Handles one HTTP request against the registry. */
export async function handleApiRequest(
  registry: ProxyRegistry,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0]!;
  if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
    return send(response, 403, 'User agent not allowed\n', 'text/plain; charset=utf-8');
  }
  // Toxiproxy's router does not decode %2F into a path separator inside a name.
  const route = path.includes('%2F') || path.includes('%2f') ? undefined : ROUTES.find((r) => r.pattern.test(path));
  if (!route) {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    return send(response, 404, '404 page not found\n', 'text/plain; charset=utf-8');
  }
  const handler = route.methods[request.method ?? 'GET'];
  if (!handler) return send(response, 405, '', undefined);
  const params = (route.pattern.exec(path) ?? []).slice(1).map((p) => decodeURIComponent(p));
  response.setHeader('X-Toxiproxy-Request-Id', randomUUID());
  try {
    const reply = await handler(registry, params, () => readJsonBody(request));
    if (reply.raw) return send(response, reply.status, reply.raw.body, reply.raw.contentType);
    if (reply.json === undefined) return send(response, reply.status, '', undefined);
    return send(response, reply.status, JSON.stringify(reply.json), 'application/json');
  } catch (error) {
    const apiError = error instanceof ApiError ? error : new ApiError(500, (error as Error).message);
    if (path === '/populate') {
      const proxies = (apiError as ApiError & { populateProxies?: unknown }).populateProxies ?? null;
      return send(
        response,
        apiError.status,
        JSON.stringify({ error: apiError.message, status: apiError.status, proxies }),
        'application/json',
      );
    }
    response.setHeader('X-Content-Type-Options', 'nosniff');
    return send(
      response,
      apiError.status,
      `${JSON.stringify({ error: apiError.message, status: apiError.status })}\n`,
      'text/plain; charset=utf-8',
    );
  }
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw apiErrors.badBody('http: request body too large');
    chunks.push(chunk);
  }
  return parseJsonBody(Buffer.concat(chunks).toString('utf8'));
}

function send(response: ServerResponse, status: number, body: string, contentType: string | undefined): void {
  if (contentType) response.setHeader('Content-Type', contentType);
  response.writeHead(status);
  response.end(body);
}
