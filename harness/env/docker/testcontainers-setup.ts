/**
 * Settings testcontainers needs here. Ryuk (its reaper) is an image that cannot be pulled
 * without a registry, so it is disabled and the harness removes its own containers. The
 * host is pinned to loopback: every container runs on host networking, and testcontainers
 * would otherwise look up the bridge gateway, which an engine without a bridge lacks and
 * which is an address the harness never sends traffic to.
 */
export function prepareTestcontainers(env: NodeJS.ProcessEnv = process.env): void {
  env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
}

/** Fails fast, with what to do, when an image is not present locally (no pull is attempted). */
export async function ensureImagePresent(image: string, howToGetIt: string): Promise<void> {
  const { getContainerRuntimeClient, ImageName } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  if (!(await client.image.exists(ImageName.fromString(image)))) {
    throw new Error(`image ${image} is not present locally and cannot be pulled here: ${howToGetIt}`);
  }
}
