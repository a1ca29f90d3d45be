import { request, type RequestOptions } from 'node:http';

/** Short: an engine that is up answers /_ping in milliseconds; this only bounds a dead one. */
const DEFAULT_PING_TIMEOUT_MS = 2_000;

/**
 * Whether a Docker engine answers `GET /_ping` within `timeoutMs`. Checked before
 * testcontainers is loaded, so a missing engine fails fast instead of hanging in its
 * connection retries. Probes DOCKER_HOST when it is `unix://` or plain `tcp://`, else the
 * default socket; a TLS endpoint (DOCKER_TLS_VERIFY) is left to testcontainers, which
 * knows the certificates, and counts as reachable here.
 */
export function isDockerReachable(
  timeoutMs = DEFAULT_PING_TIMEOUT_MS,
  env: NodeJS.ProcessEnv = process.env,
): Promise<boolean> {
  const endpoint = dockerEndpoint(env);
  if (endpoint === undefined) return Promise.resolve(true);
  return new Promise((resolve) => {
    const ping = request({ ...endpoint, path: '/_ping', method: 'GET', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    // `timeout` only fires on an idle socket; the timer also bounds a connect that never completes.
    const deadline = setTimeout(() => ping.destroy(new Error('ping timed out')), timeoutMs);
    ping.on('timeout', () => ping.destroy(new Error('ping timed out')));
    ping.on('error', () => resolve(false));
    ping.on('close', () => clearTimeout(deadline));
    ping.end();
  });
}

function dockerEndpoint(env: NodeJS.ProcessEnv): RequestOptions | undefined {
  const host = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('tcp://') && !env.DOCKER_TLS_VERIFY) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  return undefined;
}

/**
 * The error for a Docker path chosen where no engine answers: what failed, where it looked,
 * how to start an engine, and the registry-free alternative for the same need.
 */
export function dockerUnreachableError(
  option: string,
  alternative: string,
  env: NodeJS.ProcessEnv = process.env,
): Error {
  const where = env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  return new Error(
    `${option}: no Docker engine answers at ${where}: start one ` +
      `(as root: bash docker/start-dockerd.sh), or ${alternative}`,
  );
}
