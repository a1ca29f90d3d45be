import { findFreePort } from '../free-port.ts';
import { DOCKER_UNREACHABLE_HELP, isDockerReachable } from './docker-availability.ts';
import { ensureImagePresent, prepareTestcontainers } from './testcontainers-setup.ts';

export const DEFAULT_TOXIPROXY_IMAGE = 'ghcr.io/shopify/toxiproxy:2.12.0';

/** Real Toxiproxy in a container (--proxy docker), API on a free loopback port, host networking. */
export class DockerToxiproxy {
  private image = process.env.TOXIPROXY_IMAGE ?? DEFAULT_TOXIPROXY_IMAGE;

  withImage(image: string): this {
    this.image = image;
    return this;
  }

  async start(): Promise<{ getApiUrl(): string; stop(): Promise<void> }> {
    if (!(await isDockerReachable())) throw new Error(`--proxy docker: ${DOCKER_UNREACHABLE_HELP}`);
    prepareTestcontainers();
    await ensureImagePresent(this.image, `pull it where a registry is reachable (docker pull ${this.image}) or set TOXIPROXY_IMAGE; the built-in proxy (--proxy builtin) needs no image`);
    const { GenericContainer, Wait } = await import('testcontainers');
    const port = await findFreePort();
    const container = await new GenericContainer(this.image)
      .withNetworkMode('host')
      .withCommand(['-host=127.0.0.1', `-port=${port}`])
      .withWaitStrategy(Wait.forLogMessage(/API HTTP server starting|Starting Toxiproxy/))
      .withStartupTimeout(30_000)
      .start();
    return {
      getApiUrl: () => `http://127.0.0.1:${port}`,
      stop: async () => {
        await container.stop({ remove: true, timeout: 5_000 });
      },
    };
  }
}
