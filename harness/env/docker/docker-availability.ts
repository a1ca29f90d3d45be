import { request } from 'node:http';

/**
 * Whether a Docker engine answers `GET /_ping` on its socket within `timeoutMs`. Checked
 * before testcontainers is loaded, so a missing engine fails fast instead of hanging.
 * Only unix sockets (DOCKER_HOST=unix://... or the default) are probed: a TCP DOCKER_HOST
 * is left to testcontainers.
 */
export function isDockerReachable(timeoutMs = 2000, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const host = env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (!host.startsWith('unix://')) return Promise.resolve(true);
  return new Promise((resolve) => {
    const ping = request({ socketPath: host.slice('unix://'.length), path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    ping.on('timeout', () => {
      ping.destroy();
      resolve(false);
    });
    ping.on('error', () => resolve(false));
    ping.end();
  });
}

export const DOCKER_UNREACHABLE_HELP =
  'no Docker engine answers: start one (as root: bash docker/start-dockerd.sh), or use --broker local (Debian\'s rabbitmq-server) or AMQP_URL';
