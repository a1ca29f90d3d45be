import { fileURLToPath } from 'node:url';
import { builtinClient } from '../../../harness/impl/builtin/builtin-implementation.ts';
import type { ClientImplementation } from '../../../harness/impl/implementation.ts';

/**
 * Deliberately broken clients the checks must catch, registered with a run as its client
 * implementation: the built-in load generator drives each through its client module.
 */
export const anyReplyClient = (): ClientImplementation =>
  builtinClient({ clientModule: fileURLToPath(new URL('./any-reply-client.ts', import.meta.url)) });
export const acceptAgainClient = (): ClientImplementation =>
  builtinClient({ clientModule: fileURLToPath(new URL('./accept-again-client.ts', import.meta.url)) });
export const dyingClient = (): ClientImplementation =>
  builtinClient({ clientModule: fileURLToPath(new URL('./dying-client.ts', import.meta.url)) });
/** client-2 sends nothing for 4 s after losing its connection; the other clients are the built-in one. */
export const slowToRecoverClient = (): ClientImplementation =>
  builtinClient({ clientModule: fileURLToPath(new URL('./slow-to-recover-client.ts', import.meta.url)) });
export const noHeartbeatClient = (): ClientImplementation =>
  builtinClient({ clientModule: fileURLToPath(new URL('./no-heartbeat-client.ts', import.meta.url)) });
export const oldReplyQueueClient = (): ClientImplementation =>
  builtinClient({ clientModule: fileURLToPath(new URL('./old-reply-queue-client.ts', import.meta.url)) });
export const pendingLeakClient = (): ClientImplementation =>
  builtinClient({ clientModule: fileURLToPath(new URL('./pending-leak-client.ts', import.meta.url)) });
export const hangWhenBlockedClient = (): ClientImplementation =>
  builtinClient({ clientModule: fileURLToPath(new URL('./hang-when-blocked-client.ts', import.meta.url)) });
/** Reconnects only to the node it is placed on, ignoring every other node's address. */
export const placedNodeOnlyClient = (): ClientImplementation =>
  builtinClient({ clientModule: fileURLToPath(new URL('./placed-node-only-client.ts', import.meta.url)) });
