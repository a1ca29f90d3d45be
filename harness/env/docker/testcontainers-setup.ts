/**
 * Settings testcontainers needs where no registry is reachable: Ryuk (its reaper) is an image
 * that cannot be pulled, so it is disabled and the harness removes its own containers.
 */
export function prepareTestcontainers(env: NodeJS.ProcessEnv = process.env): void {
  env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
}

/** Fails fast, with what to do, when an image is not present locally (no pull is attempted). */
export async function ensureImagePresent(image: string, howToGetIt: string): Promise<void> {
  const { getContainerRuntimeClient, ImageName } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  if (!(await client.image.exists(ImageName.fromString(image)))) {
    throw new Error(`image ${image} is not present locally and cannot be pulled here: ${howToGetIt}`);
  }
}
