import type { StartedTestContainer } from 'testcontainers';
import { findFreePort } from '../free-port.ts';
import { registerContainerRemoval, removeContainerSync } from './container-cleanup.ts';
import { dockerUnreachableError, isDockerReachable } from './docker-availability.ts';
import { ensureImagePresent, prepareTestcontainers, uniqueContainerName } from './testcontainers-setup.ts';

export { isDockerReachable } from './docker-availability.ts';

export const DEFAULT_TOXIPROXY_IMAGE = 'ghcr.io/shopify/toxiproxy:2.12.0';
/**
 * What docker/build-toxiproxy-image.sh builds: the built-in proxy's server behind toxiproxy-server's flags and log
 * line.
 */
export const TOXIPROXY_COMPATIBLE_IMAGE = 'rpc-chaos/toxiproxy-compatible:local';
const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
const API_PROBE_TIMEOUT_MS = 10_000;
const BUILTIN_ALTERNATIVE = 'use the built-in Toxiproxy-API proxy (--proxy builtin), which needs no image';

/**
 * The real Toxiproxy in a container (--proxy docker), on host networking with its API on a
 * free 127.0.0.1 port; the proxies a scenario creates listen on loopback ports too.
 * A GenericContainer: @testcontainers/toxiproxy exists only for testcontainers 12, which
 * does not run on Node 20.
 *
 *   await using toxiproxy = await new DockerToxiproxy().start();
 *   const client = new Toxiproxy(toxiproxy.getApiUrl());
 */
export class DockerToxiproxy {
  private image = process.env.TOXIPROXY_IMAGE || DEFAULT_TOXIPROXY_IMAGE;
  private startupTimeoutMs = DEFAULT_STARTUP_TIMEOUT_MS;

  withImage(image: string): this {
    this.image = image;
    return this;
  }

  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    return this;
  }

  async start(): Promise<StartedDockerToxiproxy> {
    if (!(await isDockerReachable())) throw dockerUnreachableError('--proxy docker', BUILTIN_ALTERNATIVE);
    const client = await prepareTestcontainers();
    await ensureImagePresent(
      client,
      this.image,
      `pull it where a registry is reachable (docker pull ${this.image}) or set TOXIPROXY_IMAGE to an image you have ` +
        `(bash docker/build-toxiproxy-image.sh builds one of the built-in proxy's server: ` +
        `TOXIPROXY_IMAGE=${TOXIPROXY_COMPATIBLE_IMAGE}), or ${BUILTIN_ALTERNATIVE}`,
    );
    const { GenericContainer, Wait } = await import('testcontainers');
    const apiPort = await findFreePort();
    const containerName = uniqueContainerName('toxiproxy');
    let started: StartedDockerToxiproxy | undefined;
    const unregister = registerContainerRemoval(containerName, async () => {
      if (started) await started.stop();
      else removeContainerSync(containerName);
    });
    try {
      const container = await new GenericContainer(this.image)
        .withName(containerName)
        .withNetworkMode('host')
        .withCommand(['-host=127.0.0.1', `-port=${apiPort}`])
        // A port wait would also probe from inside the image, which has no shell. Toxiproxy
        // logs this line just before it listens; probeApi() covers that gap.
        .withWaitStrategy(Wait.forLogMessage(/Starting Toxiproxy HTTP server|API HTTP server starting/))
        .withStartupTimeout(this.startupTimeoutMs)
        .start();
      started = new StartedDockerToxiproxy(container, apiPort, unregister);
    } catch (error) {
      removeContainerSync(containerName);
      unregister();
      throw new Error(`Toxiproxy container from ${this.image} did not start: ${(error as Error).message}`);
    }
    try {
      await started.probeApi();
    } catch (error) {
      await started.stop();
      throw error;
    }
    return started;
  }
}

export class StartedDockerToxiproxy {
  readonly kind = 'docker' as const;
  private stopping: Promise<void> | undefined;
  private version = 'unknown';

  /** @internal Created by DockerToxiproxy.start(). */
  constructor(
    private readonly container: StartedTestContainer,
    private readonly apiPort: number,
    private readonly unregisterRemoval: () => void,
  ) {}

  getApiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }
  getHost(): string {
    return '127.0.0.1';
  }
  getApiPort(): number {
    return this.apiPort;
  }
  getContainerId(): string {
    return this.container.getId();
  }
  /** Toxiproxy's version from GET /version, e.g. '2.12.0'. */
  getVersion(): string {
    return this.version;
  }

  /** @internal Waits (bounded) until the API answers GET /version, and reads the version. */
  async probeApi(): Promise<void> {
    const deadline = Date.now() + API_PROBE_TIMEOUT_MS;
    for (;;) {
      try {
        const response = await fetch(`${this.getApiUrl()}/version`, { signal: AbortSignal.timeout(2_000) });
        const body = (await response.text()).trim();
        if (response.ok) {
          this.version = parseVersion(body);
          return;
        }
        throw new Error(`GET /version answered ${response.status}`);
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`Toxiproxy API at ${this.getApiUrl()} does not answer: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Stops and removes the container. Safe to call twice and concurrently. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAndRemove();
    return this.stopping;
  }

  private async stopAndRemove(): Promise<void> {
    try {
      await this.container.stop({ timeout: 5_000, remove: true });
    } catch {
      // Already stopped or removed by hand: make sure it is gone rather than fail the teardown.
      removeContainerSync(this.container.getId());
    } finally {
      this.unregisterRemoval();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** Toxiproxy 2.12 answers `{"version": "2.12.0"}`; older versions answer the bare text. */
function parseVersion(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object' && 'version' in parsed) return String(parsed.version);
  } catch {
    // Not JSON: the bare version text of Toxiproxy before 2.6.
  }
  return body;
}
