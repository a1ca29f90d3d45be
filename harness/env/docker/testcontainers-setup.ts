import { randomBytes } from 'node:crypto';
import type { ContainerRuntimeClient } from 'testcontainers';

/** Bounds the first contact with the engine, which testcontainers itself would retry for long. */
const RUNTIME_CLIENT_TIMEOUT_MS = 10_000;

/**
 * Prepares testcontainers for this machine and returns its runtime client.
 *
 * The host is pinned to loopback: every container of ours runs on host networking, and
 * testcontainers would otherwise look up the bridge gateway, which an engine started with
 * --bridge=none lacks and which is an address the harness never sends traffic to.
 *
 * Ryuk (testcontainers' reaper) is itself an image; where it is not present locally it
 * cannot be pulled without a registry, so it is disabled, and the harness removes its own
 * containers (see container-cleanup.ts), which it does in any case. A choice made in the
 * environment is kept.
 */
export async function prepareTestcontainers(env: NodeJS.ProcessEnv = process.env): Promise<ContainerRuntimeClient> {
  env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  const { getContainerRuntimeClient, ImageName } = await import('testcontainers');
  const client = await withTimeout(
    getContainerRuntimeClient(),
    RUNTIME_CLIENT_TIMEOUT_MS,
    'testcontainers did not reach the Docker engine; check `docker info`',
  );
  if (env.TESTCONTAINERS_RYUK_DISABLED === undefined) {
    const ryukImage = await reaperImage();
    const ryukPresent = ryukImage !== undefined && (await client.image.exists(ImageName.fromString(ryukImage)));
    env.TESTCONTAINERS_RYUK_DISABLED = ryukPresent ? 'false' : 'true';
  }
  return client;
}

/** The Ryuk image this testcontainers version would start (internal module: absent -> unknown). */
async function reaperImage(): Promise<string | undefined> {
  try {
    const reaper = (await import('testcontainers/build/reaper/reaper.js')) as { REAPER_IMAGE?: unknown };
    return typeof reaper.REAPER_IMAGE === 'string' ? reaper.REAPER_IMAGE : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fails fast, saying what to do, when an image is not present locally. No pull is tried:
 * without a registry a pull only fails after network timeouts, and with one the user can
 * pull on purpose.
 */
export async function ensureImagePresent(
  client: ContainerRuntimeClient,
  image: string,
  howToGetIt: string,
): Promise<void> {
  const { ImageName } = await import('testcontainers');
  if (!(await client.image.exists(ImageName.fromString(image)))) {
    throw new Error(`image ${image} is not present locally and is not pulled by the harness: ${howToGetIt}`);
  }
}

/** A container name unique to this process and call, so cleanup can find it before its id is known. */
export function uniqueContainerName(role: string): string {
  return `rpc-chaos-${role}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (no answer within ${ms / 1000} s)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
