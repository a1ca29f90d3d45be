/**
 * Worker-thread entry of `ToxiproxyThread`: runs the built-in proxy (API and forwarding) on its
 * own event loop, so the work of the thread that started it cannot delay forwarding.
 * Messages: posts `{ ok: apiUrl }` or `{ error }` once listening; on `'stop'` stops everything
 * and posts `'stopped'`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BuiltinToxiproxy, type BuiltinToxiproxyOptions } from './builtin-toxiproxy.ts';

const port = parentPort;
if (!port) throw new Error('proxy-thread.ts runs only as a worker thread (see toxiproxy-thread.ts)');
try {
  const server = await new BuiltinToxiproxy(workerData as BuiltinToxiproxyOptions).start();
  port.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    void server.stop().finally(() => {
      port.postMessage('stopped');
      port.close();
    });
  });
  port.postMessage({ ok: server.getApiUrl() });
} catch (error) {
  port.postMessage({ error: (error as Error).message });
  port.close();
}
