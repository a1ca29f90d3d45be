import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, type ICreateToxicBody } from 'toxiproxy-node-client';
import { BuiltinToxiproxy, type StartedBuiltinToxiproxy } from './builtin-toxiproxy.ts';
import { startEchoServer } from './test-echo-server.ts';

let server: StartedBuiltinToxiproxy;
let toxiproxy: Toxiproxy;
let echo: Awaited<ReturnType<typeof startEchoServer>>;
let seq = 0;
const name = () => `api-${++seq}`;

/** Raw HTTP for what toxiproxy-node-client cannot express (exact status codes, bodies, headers). */
async function raw(method: string, path: string, body?: string) {
  const response = await fetch(`${server.getApiUrl()}${path}`, { method, body });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text(), headers: response.headers };
}

describe('the built-in proxy speaks Toxiproxy 2.x\'s HTTP API', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    server = await new BuiltinToxiproxy({ port: 0 }).start();
    toxiproxy = new Toxiproxy(server.getApiUrl());
    echo = await startEchoServer();
  });
  afterAll(async () => {
    await server?.stop();
    await echo?.stop();
  });

  it('answers GET /version as Toxiproxy does', async () => {
    const response = await raw('GET', '/version');
    expect(response).toMatchObject({ status: 200, type: 'application/json;charset=utf-8', text: '{"version": "2.12.0"}\n' });
    expect(await toxiproxy.getVersion()).toContain('2.12.0');
  });

  it('creates, lists, reads, updates and deletes proxies through toxiproxy-node-client', async () => {
    const proxyName = name();
    const proxy = await toxiproxy.createProxy({ name: proxyName, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(proxy.listen).not.toBe('127.0.0.1:0');
    expect((await toxiproxy.getAll())[proxyName]?.upstream).toBe(`127.0.0.1:${echo.port}`);
    expect((await toxiproxy.get(proxyName)).enabled).toBe(true);
    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(disabled.enabled).toBe(false);
    await disabled.remove();
    await expect(toxiproxy.get(proxyName)).rejects.toThrow();
  });

  it('uses Toxiproxy\'s shapes: object keyed by name, "Logger":{}, upstream toxics first', async () => {
    const proxyName = name();
    const proxy = await toxiproxy.createProxy({ name: proxyName, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    await proxy.addToxic({ type: 'latency', stream: 'downstream', attributes: { latency: 1, jitter: 0 } } as ICreateToxicBody<unknown>);
    await proxy.addToxic({ type: 'bandwidth', stream: 'upstream', attributes: { rate: 100 } } as ICreateToxicBody<unknown>);
    const listing = JSON.parse((await raw('GET', '/proxies')).text) as Record<string, { Logger: unknown; toxics: Array<{ name: string }> }>;
    expect(listing[proxyName]?.Logger).toEqual({});
    expect(listing[proxyName]?.toxics.map((t) => t.name)).toEqual(['bandwidth_upstream', 'latency_downstream']);
    const toxic = JSON.parse((await raw('GET', `/proxies/${proxyName}/toxics/latency_downstream`)).text);
    expect(toxic).toEqual({ attributes: { latency: 1, jitter: 0 }, name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1 });
    await proxy.remove();
  });

  it('creates a toxic with 200 (not 201), updates it by merging attributes, deletes it with 204', async () => {
    const proxyName = name();
    await toxiproxy.createProxy({ name: proxyName, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    const created = await raw('POST', `/proxies/${proxyName}/toxics`, JSON.stringify({ type: 'latency', attributes: { latency: 100, jitter: 10 } }));
    expect(created.status).toBe(200);
    expect(created.headers.get('x-toxiproxy-request-id')).toBeTruthy();
    const updated = await raw('POST', `/proxies/${proxyName}/toxics/latency_downstream`, JSON.stringify({ attributes: { latency: 250 } }));
    expect(JSON.parse(updated.text)).toMatchObject({ attributes: { latency: 250, jitter: 10 }, toxicity: 1 });
    expect((await raw('DELETE', `/proxies/${proxyName}/toxics/latency_downstream`)).status).toBe(204);
    expect((await raw('DELETE', `/proxies/${proxyName}`))).toMatchObject({ status: 204, text: '' });
  });

  it.each([
    ['GET', '/proxies/nope', undefined, 404, 'proxy not found'],
    ['GET', '/proxies/nope/toxics/x', undefined, 404, 'proxy not found'],
    ['POST', '/proxies', '{"name":"dup","upstream":"127.0.0.1:1"}', 409, 'proxy already exists'],
    ['POST', '/proxies', '{"upstream":"127.0.0.1:1"}', 400, 'missing required field: name'],
    ['POST', '/proxies', '{"name":"x"}', 400, 'missing required field: upstream'],
    ['POST', '/proxies', '', 400, 'bad request body: EOF'],
    ['POST', '/proxies/dup/toxics', '{"type":"nonsense"}', 400, 'invalid toxic type'],
    ['POST', '/proxies/dup/toxics', '{"type":"latency","stream":"sideways"}', 400, 'stream was invalid, can be either upstream or downstream'],
    ['GET', '/proxies/dup/toxics/none', undefined, 404, 'toxic not found'],
  ])('%s %s %s -> %i %s, as a JSON body sent as text/plain', async (method, path, body, status, error) => {
    if (!(await toxiproxy.getAll()).dup) await toxiproxy.createProxy({ name: 'dup', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const response = await raw(method, path, body);
    expect(response.status).toBe(status);
    expect(response.type).toBe('text/plain; charset=utf-8');
    expect(response.text).toBe(`${JSON.stringify({ error, status })}\n`);
  });

  it('refuses a duplicate toxic name with 409, also across streams', async () => {
    const proxyName = name();
    const proxy = await toxiproxy.createProxy({ name: proxyName, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    await proxy.addToxic({ name: 'slow', type: 'latency', stream: 'upstream', attributes: { latency: 1 } } as ICreateToxicBody<unknown>);
    const response = await raw('POST', `/proxies/${proxyName}/toxics`, JSON.stringify({ name: 'slow', type: 'latency', stream: 'downstream' }));
    expect(response.status).toBe(409);
    expect(JSON.parse(response.text).error).toBe('toxic already exists');
  });

  it('answers unknown paths with 404 text and wrong methods with an empty 405', async () => {
    expect(await raw('GET', '/nothing')).toMatchObject({ status: 404, text: '404 page not found\n' });
    expect(await raw('PUT', '/proxies')).toMatchObject({ status: 405, text: '' });
  });

  it('populates all-or-nothing and reports a failing entry by position', async () => {
    const bad = await raw('POST', '/populate', JSON.stringify([{ name: 'p-ok', upstream: '127.0.0.1:1' }, { name: 'p-bad' }]));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: 'missing required field: upstream at proxy 2', status: 400 });
    expect((await toxiproxy.getAll())['p-ok']).toBeUndefined();
    const proxies = await toxiproxy.populate([{ name: 'p-ok', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' }]);
    expect(Object.keys(proxies)).toContain('p-ok');
    expect(JSON.parse((await raw('POST', '/populate', '[]')).text)).toEqual({ proxies: null });
  });

  it('resets: removes every toxic and enables every proxy again', async () => {
    const proxyName = name();
    const proxy = await toxiproxy.createProxy({ name: proxyName, listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
    await proxy.addToxic({ type: 'latency', attributes: { latency: 50 } } as ICreateToxicBody<unknown>);
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await toxiproxy.reset();
    const after = await toxiproxy.get(proxyName);
    expect(after.enabled).toBe(true);
    expect(JSON.parse((await raw('GET', `/proxies/${proxyName}/toxics`)).text)).toEqual([]);
  });

  it('answers a listen failure with 500 and the Go-style bind error', async () => {
    const first = await toxiproxy.createProxy({ name: name(), listen: '127.0.0.1:0', upstream: '127.0.0.1:1' });
    const response = await raw('POST', '/proxies', JSON.stringify({ name: name(), listen: first.listen, upstream: '127.0.0.1:1' }));
    expect(response.status).toBe(500);
    expect(JSON.parse(response.text).error).toBe(`listen tcp ${first.listen}: bind: address already in use`);
  });
});
