import { spawnSync } from 'node:child_process';
import { guardContainer } from '../guard/guarded.ts';
import { registerCleanup } from '../process-cleanup.ts';

const REMOVE_TIMEOUT_MS = 10_000;

/**
 * Makes sure a container this process creates is removed even if the process is interrupted
 * or crashes: without Ryuk nothing else would. Registered by name *before* the container is
 * created, so a Ctrl-C during a slow start still removes it. `stop` is the graceful path
 * tried first on SIGINT/SIGTERM; the synchronous removal runs on exit. Returns the
 * unregister function, for after a normal stop.
 */
export function registerContainerRemoval(name: string, stop: () => Promise<void>): () => void {
  // If this process is SIGKILLed, its owner guard removes the container through the engine API.
  const releaseGuard = guardContainer(`container ${name}`, name, dockerSocketPath());
  const unregister = registerCleanup(`container ${name}`, () => removeContainerSync(name), stop);
  return () => {
    unregister();
    releaseGuard();
  };
}

function dockerSocketPath(): string {
  return (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
}

/**
 * Force-removes a container (and its anonymous volumes) synchronously, as an 'exit' handler
 * must. Uses the docker CLI; where there is none (testcontainers does not need it) it sends
 * the same API call from a short-lived node process. A container that does not exist is fine.
 */
export function removeContainerSync(name: string): void {
  const cli = spawnSync('docker', ['rm', '--force', '--volumes', name], {
    stdio: 'ignore',
    timeout: REMOVE_TIMEOUT_MS,
  });
  if (!cli.error) return;
  const socketPath = dockerSocketPath();
  const script =
    `require('node:http').request({ socketPath: ${JSON.stringify(socketPath)}, method: 'DELETE',
    path: '/containers/' + encodeURIComponent(${JSON.stringify(name)}) + '?force=true&v=true' }, ` +
    `(r) => r.resume()).end();`;
  spawnSync(process.execPath, ['-e', script], { stdio: 'ignore', timeout: REMOVE_TIMEOUT_MS });
}
