import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, type ICreateToxicBody, type Proxy } from 'toxiproxy-node-client';
import { BuiltinToxiproxy, type StartedBuiltinToxiproxy } from './builtin-toxiproxy.ts';
import { startEchoServer, type EchoServer } from './test/echo-server.ts';

let server: StartedBuiltinToxiproxy;
let toxiproxy: Toxiproxy;
let echo: EchoServer;
let seq = 0;
const name = () => `api-${++seq}`;

const toxicBody = (body: Record<string, unknown>) => body as unknown as ICreateToxicBody<unknown>;

async function newProxy(): Promise<Proxy> {
  return toxiproxy.createProxy({ name: name(), listen: '127.0.0.1:0', upstream: echo.upstream });
}

/** Raw HTTP for what toxiproxy-node-client cannot express (exact status codes, bodies, headers). */
async function raw(method: string, path: string, body?: string, headers?: Record<string, string>) {
  const response = await fetch(`${server.getApiUrl()}${path}`, { method, body, headers });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text: await response.text(),
    headers: response.headers,
  };
}

const errorBody = (error: string, status: number) => `${JSON.stringify({ error, status })}\n`;

describe("the built-in proxy speaks Toxiproxy 2.x's HTTP API", { timeout: 20_000 }, () => {
  beforeAll(async () => {
    server = await new BuiltinToxiproxy({ host: '127.0.0.1', port: 0 }).start();
    toxiproxy = new Toxiproxy(server.getApiUrl());
    echo = await startEchoServer();
    await toxiproxy.createProxy({ name: 'dup', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
  });
  afterAll(async () => {
    await server?.stop();
    await echo?.stop();
  });

  it('answers GET /version exactly as Toxiproxy 2.12.0 does', async () => {
    expect(await raw('GET', '/version')).toMatchObject({
      status: 200,
      type: 'application/json;charset=utf-8',
      text: '{"version": "2.12.0"}\n',
    });
    expect(await toxiproxy.getVersion()).toContain('2.12.0');
  });

  it('creates, lists, reads, updates and deletes proxies through toxiproxy-node-client', async () => {
    const proxy = await newProxy();
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    expect(proxy.enabled).toBe(true);
    expect((await toxiproxy.getAll())[proxy.name]?.upstream).toBe(echo.upstream);
    expect((await toxiproxy.get(proxy.name)).listen).toBe(proxy.listen);
    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(disabled.enabled).toBe(false);
    expect(disabled.listen).toBe(proxy.listen);
    await disabled.remove();
    await expect(toxiproxy.get(proxy.name)).rejects.toThrow('status code 404');
    await expect(disabled.remove()).rejects.toThrow('status code 404');
  });

  it('uses Toxiproxy\'s JSON shapes: proxies keyed by name, "Logger":{}, upstream toxics listed first', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxicBody({ type: 'latency', stream: 'downstream', attributes: { latency: 1, jitter: 0 } }));
    await proxy.addToxic(toxicBody({ type: 'bandwidth', stream: 'upstream', attributes: { rate: 100 } }));
    const created = await raw(
      'POST',
      '/proxies',
      JSON.stringify({ name: name(), listen: 'localhost:0', upstream: 'nonexistent.invalid:1' }),
    );
    expect(created.status).toBe(201);
    expect(created.type).toBe('application/json');
    expect(created.text).toMatch(
      new RegExp(
        String.raw`^\{"name":"api-\d+","listen":"127\.0\.0\.1:\d+","upstream":"nonexistent\.invalid:1",` +
          String.raw`"enabled":true,"Logger":\{\},"toxics":\[\]\}$`,
      ),
    );
    const listing = JSON.parse((await raw('GET', '/proxies')).text) as Record<
      string,
      { Logger: unknown; toxics: Array<{ name: string }> }
    >;
    expect(listing[proxy.name]?.Logger).toEqual({});
    expect(listing[proxy.name]?.toxics.map((t) => t.name)).toEqual(['bandwidth_upstream', 'latency_downstream']);
    const toxic = await raw('GET', `/proxies/${proxy.name}/toxics/latency_downstream`);
    expect(toxic.text).toBe(
      '{"attributes":{"latency":1,"jitter":0},"name":"latency_downstream",' +
        '"type":"latency","stream":"downstream","toxicity":1}',
    );
  });

  it(
    'creates a toxic with 200 (not 201) and fills in defaults: ' +
      'downstream, toxicity 1, name <type>_<stream>, attributes 0',
    async () => {
      const proxy = await newProxy();
      const created = await raw(
        'POST',
        `/proxies/${proxy.name}/toxics`,
        JSON.stringify({ type: 'slicer', attributes: { average_size: 10, unknown: 5 } }),
      );
      expect(created.status).toBe(200);
      expect(created.headers.get('x-toxiproxy-request-id')).toBeTruthy();
      expect(JSON.parse(created.text)).toEqual({
        attributes: { average_size: 10, size_variation: 0, delay: 0 },
        name: 'slicer_downstream',
        type: 'slicer',
        stream: 'downstream',
        toxicity: 1,
      });
      const shouted = await proxy.addToxic(toxicBody({ type: 'latency', stream: 'UPSTREAM' }));
      expect(shouted).toMatchObject({ name: 'latency_UPSTREAM', stream: 'UPSTREAM' });
      // No range checks, as in Toxiproxy.
      const odd = await proxy.addToxic(
        toxicBody({ name: 'odd', type: 'latency', toxicity: 7, attributes: { latency: -50 } }),
      );
      expect(odd).toMatchObject({ toxicity: 7, attributes: { latency: -50 } });
    },
  );

  it(
    'updates a toxic by merging attributes, keeping toxicity, ' + 'ignoring name/type/stream; POST and PATCH alike',
    async () => {
      const proxy = await newProxy();
      const toxic = await proxy.addToxic(
        toxicBody({ type: 'latency', toxicity: 0.5, attributes: { latency: 100, jitter: 10 } }),
      );
      const updated = await toxic.update(
        toxicBody({ name: 'renamed', type: 'timeout', stream: 'upstream', attributes: { latency: 250 } }),
      );
      expect(updated.toJson()).toEqual({
        name: 'latency_downstream',
        type: 'latency',
        stream: 'downstream',
        toxicity: 0.5,
        attributes: { latency: 250, jitter: 10 },
      });
      const patched = await raw(
        'PATCH',
        `/proxies/${proxy.name}/toxics/latency_downstream`,
        JSON.stringify({ toxicity: 1 }),
      );
      expect(JSON.parse(patched.text)).toMatchObject({ toxicity: 1, attributes: { latency: 250, jitter: 10 } });
      expect(await raw('DELETE', `/proxies/${proxy.name}/toxics/latency_downstream`)).toMatchObject({
        status: 204,
        text: '',
      });
      await expect(proxy.getToxic('latency_downstream')).rejects.toThrow('status code 404');
    },
  );

  it('updates a proxy with PATCH too, keeping omitted fields and ignoring the name', async () => {
    const proxy = await newProxy();
    const patched = await raw('PATCH', `/proxies/${proxy.name}`, JSON.stringify({ name: 'other', enabled: false }));
    expect(patched.status).toBe(200);
    expect(JSON.parse(patched.text)).toMatchObject({
      name: proxy.name,
      listen: proxy.listen,
      upstream: echo.upstream,
      enabled: false,
    });
  });

  it.each([
    ['GET', '/proxies/nope', undefined, 404, 'proxy not found'],
    ['DELETE', '/proxies/nope', undefined, 404, 'proxy not found'],
    ['POST', '/proxies/nope/toxics', '{"type":"nonsense"}', 404, 'proxy not found'],
    ['GET', '/proxies/nope/toxics/x', undefined, 404, 'proxy not found'],
    ['POST', '/proxies', '{"name":"dup","upstream":"127.0.0.1:2"}', 409, 'proxy already exists'],
    ['POST', '/proxies', '{"upstream":"127.0.0.1:1"}', 400, 'missing required field: name'],
    ['POST', '/proxies', '{"name":"x"}', 400, 'missing required field: upstream'],
    ['POST', '/proxies', '', 400, 'bad request body: EOF'],
    ['POST', '/proxies', '{"name":"x",', 400, 'bad request body: unexpected EOF'],
    ['POST', '/proxies', 'xyz', 400, "bad request body: invalid character 'x' looking for beginning of value"],
    [
      'POST',
      '/proxies',
      '{"name":5,"upstream":"a:1"}',
      400,
      'bad request body: json: cannot unmarshal number into Go struct field Proxy.name of type string',
    ],
    ['POST', '/proxies/dup/toxics', '{"type":"nonsense"}', 400, 'invalid toxic type'],
    ['POST', '/proxies/dup/toxics', '{"attributes":{}}', 400, 'invalid toxic type'],
    [
      'POST',
      '/proxies/dup/toxics',
      '{"type":"latency","stream":"sideways"}',
      400,
      'stream was invalid, can be either upstream or downstream',
    ],
    [
      'POST',
      '/proxies/dup/toxics',
      '{"type":"latency","attributes":{"latency":"1s"}}',
      400,
      'bad request body: json: cannot unmarshal string into Go ' +
        'struct field toxics.latency.attributes.latency of type int64',
    ],
    ['GET', '/proxies/dup/toxics/none', undefined, 404, 'toxic not found'],
    ['PATCH', '/proxies/dup/toxics/none', '{}', 404, 'toxic not found'],
    ['DELETE', '/proxies/dup/toxics/none', undefined, 404, 'toxic not found'],
  ])('%s %s %s -> %i %s, as JSON sent as text/plain with a newline', async (method, path, body, status, error) => {
    const response = await raw(method, path, body);
    expect(response.status).toBe(status);
    expect(response.type).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.text).toBe(errorBody(error, status));
  });

  it('reports errors through toxiproxy-node-client as failed requests with the status code', async () => {
    await expect(
      toxiproxy.createProxy({ name: 'dup', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' }),
    ).rejects.toThrow('status code 409');
    const dup = await toxiproxy.get('dup');
    await expect(dup.addToxic(toxicBody({ type: 'nonsense' }))).rejects.toThrow('status code 400');
    await expect(dup.getToxic('none')).rejects.toThrow('status code 404');
  });

  it('refuses a duplicate toxic name with 409, also across streams, before checking attributes', async () => {
    const proxy = await newProxy();
    await proxy.addToxic(toxicBody({ name: 'slow', type: 'latency', stream: 'upstream', attributes: { latency: 1 } }));
    const response = await raw(
      'POST',
      `/proxies/${proxy.name}/toxics`,
      JSON.stringify({ name: 'slow', type: 'latency', attributes: { latency: 'x' } }),
    );
    expect(response).toMatchObject({ status: 409, text: errorBody('toxic already exists', 409) });
  });

  it('answers unknown paths with 404 text, wrong methods with an empty 405, browsers with 403', async () => {
    for (const path of ['/nothing', '/proxies/', '/proxies/a%2Fb']) {
      expect(await raw('GET', path)).toMatchObject({
        status: 404,
        type: 'text/plain; charset=utf-8',
        text: '404 page not found\n',
      });
    }
    const wrongMethod = await raw('PUT', '/proxies');
    expect(wrongMethod).toMatchObject({ status: 405, text: '', type: null });
    expect(await raw('DELETE', '/reset')).toMatchObject({ status: 405 });
    expect(await raw('GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0' })).toMatchObject({
      status: 403,
      text: 'User agent not allowed\n',
    });
  });

  it('creates a proxy once when two requests race for the same name', async () => {
    const body = JSON.stringify({ name: 'raced', listen: '127.0.0.1:0', upstream: echo.upstream });
    const statuses = await Promise.all([raw('POST', '/proxies', body), raw('POST', '/proxies', body)]).then((all) =>
      all.map((r) => r.status),
    );
    expect(statuses.sort()).toEqual([201, 409]);
  });

  it('answers a listen failure with 500 and the Go-style bind error', async () => {
    const taken = (await toxiproxy.get('dup')).listen;
    const response = await raw(
      'POST',
      '/proxies',
      JSON.stringify({ name: name(), listen: taken, upstream: '127.0.0.1:1' }),
    );
    expect(response).toMatchObject({
      status: 500,
      text: errorBody(`listen tcp ${taken}: bind: address already in use`, 500),
    });
  });

  it('leaves a proxy disabled with the bad address stored when a listen change fails, as Toxiproxy does', async () => {
    const proxy = await newProxy();
    const taken = (await toxiproxy.get('dup')).listen;
    await expect(proxy.update({ enabled: true, listen: taken, upstream: proxy.upstream })).rejects.toThrow(
      'status code 500',
    );
    expect(await toxiproxy.get(proxy.name)).toMatchObject({ enabled: false, listen: taken });
    // Left in place, it would make every later /reset fail on its listen address, as in Toxiproxy.
    await proxy.remove();
  });

  it('populates all-or-nothing, reporting a bad entry by position with a JSON error body', async () => {
    const bad = await raw(
      'POST',
      '/populate',
      JSON.stringify([{ name: 'p-ok', upstream: '127.0.0.1:1' }, { name: 'p-bad' }]),
    );
    expect(bad).toMatchObject({ status: 400, type: 'application/json' });
    expect(JSON.parse(bad.text)).toEqual({
      error: 'missing required field: upstream at proxy 2',
      status: 400,
      proxies: null,
    });
    expect((await toxiproxy.getAll())['p-ok']).toBeUndefined();
    expect(await raw('POST', '/populate', '[]')).toMatchObject({ status: 201, text: '{"proxies":null}' });
  });

  it('populates: creates new proxies, keeps an unchanged one, replaces a changed one (losing its toxics)', async () => {
    const created = await toxiproxy.populate([
      { name: 'keep', listen: '127.0.0.1:0', upstream: echo.upstream },
      { name: 'change', listen: '127.0.0.1:0', upstream: echo.upstream },
    ]);
    const keep = created.keep!;
    await keep.addToxic(toxicBody({ type: 'latency', attributes: { latency: 5 } }));
    await created.change!.addToxic(toxicBody({ type: 'latency', attributes: { latency: 5 } }));
    await toxiproxy.populate([
      { name: 'keep', listen: keep.listen, upstream: echo.upstream, enabled: false },
      { name: 'change', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' },
    ]);
    expect(await toxiproxy.get('keep')).toMatchObject({ enabled: true, listen: keep.listen });
    expect((await keep.getToxic('latency_downstream')).name).toBe('latency_downstream');
    expect((await toxiproxy.get('change')).upstream).toBe('127.0.0.1:1');
    await expect((await toxiproxy.get('change')).getToxic('latency_downstream')).rejects.toThrow('status code 404');
  });

  it('populates up to a listen failure, which answers 500 with the proxies created before it', async () => {
    const taken = (await toxiproxy.get('dup')).listen;
    const response = await raw(
      'POST',
      '/populate',
      JSON.stringify([
        { name: 'before-fail', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' },
        { name: 'fail', listen: taken, upstream: '127.0.0.1:1' },
      ]),
    );
    expect(response.status).toBe(500);
    const body = JSON.parse(response.text) as { error: string; proxies: Array<{ name: string }> };
    expect(body.error).toBe(`listen tcp ${taken}: bind: address already in use`);
    expect(body.proxies.map((p) => p.name)).toEqual(['before-fail']);
    expect((await toxiproxy.getAll())['before-fail']).toBeDefined();
  });

  it('resets with 204 and an empty body, ignoring any request body', async () => {
    expect(await raw('POST', '/reset', 'not json')).toMatchObject({ status: 204, text: '' });
  });
});
