import { Toxiproxy } from 'toxiproxy-node-client';
import { redactMessage, redactUrl } from './redact.ts';

/**
 * Which proxy a run puts in front of the broker. 'auto' and 'always' pick the same one
 * (TOXIPROXY_URL, else the built-in proxy); 'auto' uses it only when the run schedules a
 * network fault, while 'always' and a named kind use it in every run (engine/proxy-use.ts).
 */
export type ProxyChoice = 'auto' | 'always' | 'builtin' | 'toxiproxy' | 'docker';
export const PROXY_CHOICES: readonly ProxyChoice[] = ['auto', 'always', 'builtin', 'toxiproxy', 'docker'];

/** A Toxiproxy API server a run controls only through toxiproxy-node-client. */
export interface StartedProxyServer {
  readonly kind: 'builtin' | 'toxiproxy' | 'docker';
  getApiUrl(): string;
  getVersion(): string;
  stop(): Promise<void>;
}

/**
 * TOXIPROXY_URL -> that server (never stopped by us); 'docker' -> the Toxiproxy container;
 * otherwise the built-in Toxiproxy-API proxy in this process, which needs nothing installed.
 */
export async function startProxyServer(
  choice: ProxyChoice = 'auto',
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartedProxyServer> {
  const external = env.TOXIPROXY_URL;
  const automatic = choice === 'auto' || choice === 'always';
  if (choice === 'toxiproxy' || (automatic && external)) {
    if (!external) throw new Error('--proxy toxiproxy needs TOXIPROXY_URL, e.g. TOXIPROXY_URL=http://127.0.0.1:8474');
    return attachExternalToxiproxy(external);
  }
  if (choice === 'docker') {
    const { DockerToxiproxy } = await import('./docker/docker-toxiproxy.ts');
    const started = await new DockerToxiproxy().start();
    return {
      kind: 'docker',
      getApiUrl: () => started.getApiUrl(),
      getVersion: () => 'docker',
      stop: () => started.stop(),
    };
  }
  const { BuiltinToxiproxy } = await import('./proxy/builtin-toxiproxy.ts');
  const started = await new BuiltinToxiproxy({ host: '127.0.0.1', port: 0 }).start();
  const version = parseVersion(await new Toxiproxy(started.getApiUrl()).getVersion());
  return {
    kind: 'builtin',
    getApiUrl: () => started.getApiUrl(),
    getVersion: () => version,
    stop: () => started.stop(),
  };
}

/** The kind of proxy server `startProxyServer(choice)` starts, without starting it. */
export function plannedProxyKind(
  choice: ProxyChoice,
  env: NodeJS.ProcessEnv = process.env,
): StartedProxyServer['kind'] {
  if (choice !== 'auto' && choice !== 'always') return choice;
  return env.TOXIPROXY_URL ? 'toxiproxy' : 'builtin';
}

async function attachExternalToxiproxy(url: string): Promise<StartedProxyServer> {
  const toxiproxy = new Toxiproxy(url);
  let version: string;
  try {
    version = await Promise.race([
      toxiproxy.getVersion(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5_000).unref()),
    ]);
  } catch (error) {
    // fetch refuses a URL with credentials, and its message repeats the URL whole.
    throw new Error(
      `Toxiproxy at TOXIPROXY_URL=${redactUrl(url)} did not answer GET /version: ` +
        `${redactMessage((error as Error).message)}`,
    );
  }
  return {
    kind: 'toxiproxy',
    getApiUrl: () => url,
    getVersion: () => parseVersion(version),
    stop: async () => undefined,
  };
}

/** GET /version answers `{"version": "2.12.0"}`; the client hands back that text as it is. */
function parseVersion(answer: unknown): string {
  if (typeof answer !== 'string') return String((answer as { version?: unknown } | null)?.version ?? answer);
  try {
    return String((JSON.parse(answer) as { version?: unknown }).version ?? answer);
  } catch {
    return answer.trim();
  }
}
