/**
 * The built-in proxy in a worker thread of this process: its forwarding has an event loop of
 * its own, so the starting thread's work (a scenario runner merging histograms, a benchmark's
 * load) cannot delay it, as with a real Toxiproxy in another process. A thread cannot outlive
 * its process, so nothing is left behind if this process dies. Its listeners are not reachable
 * in memory from this thread (in-process-link.ts): a frame tap here reaches them over TCP.
 *
 *   await using proxyServer = await new ToxiproxyThread({ port: 0 }).start();
 *   const toxiproxy = new Toxiproxy(proxyServer.getApiUrl());
 */
import { Worker } from 'node:worker_threads';
import { BUILD_CHECKED_ENV } from '../../build/programs.ts';
import type { BuiltinToxiproxyOptions } from './builtin-toxiproxy.ts';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export class ToxiproxyThread {
  constructor(private readonly options: BuiltinToxiproxyOptions = {}) {}

  async start(): Promise<StartedToxiproxyThread> {
    const worker = spawnProxyWorker(this.options);
    let timer: NodeJS.Timeout | undefined;
    try {
      const apiUrl = await new Promise<string>((resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the built-in Toxiproxy thread did not start within ${START_TIMEOUT_MS / 1000} s`)),
          START_TIMEOUT_MS,
        );
        worker.once('message', (message: { ok?: string; error?: string }) =>
          message.ok
            ? resolve(message.ok)
            : reject(new Error(message.error ?? 'the built-in Toxiproxy thread failed to start')),
        );
        worker.once('error', (error) => reject(new Error(`the built-in Toxiproxy thread failed: ${error.message}`)));
        worker.once('exit', (code) =>
          reject(new Error(`the built-in Toxiproxy thread exited (code ${code}) before it listened`)),
        );
      });
      return new StartedToxiproxyThread(worker, apiUrl);
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

export class StartedToxiproxyThread {
  private stopping: Promise<void> | undefined;
  private readonly url: URL;

  constructor(
    private readonly worker: Worker,
    private readonly apiUrl: string,
  ) {
    this.url = new URL(apiUrl);
    // A crash of the thread must not crash this process; the next API call then fails to connect.
    worker.on('error', () => undefined);
  }

  getApiUrl(): string {
    return this.apiUrl;
  }

  getHost(): string {
    return this.url.hostname.replace(/^\[|\]$/g, '');
  }

  getPort(): number {
    return Number(this.url.port);
  }

  /** Stops every proxy and the API (clients read EOF), then ends the thread. Safe to call twice. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const stopped = new Promise<void>((resolve) => {
        this.worker.on('message', (message) => message === 'stopped' && resolve());
        this.worker.once('exit', () => resolve());
      });
      this.worker.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stopped, new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)))]);
      clearTimeout(timer);
      await this.worker.terminate();
    })();
    return this.stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/**
 * Compiled JavaScript loads the entry directly; TypeScript sources (tsx, vitest) register tsx's
 * loader in the thread first, since a worker does not inherit the parent's loader on Node 20.
 */
function spawnProxyWorker(options: BuiltinToxiproxyOptions): Worker {
  const compiled = import.meta.url.endsWith('.js');
  const entry = new URL(compiled ? './proxy-thread.js' : './proxy-thread.ts', import.meta.url);
  // The thread's bundle belongs to the build this process was started from, checked then: a
  // source edited since (a long bench run) must not make the thread refuse to start.
  if (compiled) return new Worker(entry, { workerData: options, env: { ...process.env, ...BUILD_CHECKED_ENV } });
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap =
    `import(${JSON.stringify(tsx)}).then((api) => { api.register(); ` +
    `return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: options });
}
