import { fileURLToPath } from 'node:url';

/** Client modules for runForTest's clientModule: deliberately broken clients the checks must catch. */
export const ANY_REPLY_CLIENT = fileURLToPath(new URL('./any-reply-client.ts', import.meta.url));
export const ACCEPT_AGAIN_CLIENT = fileURLToPath(new URL('./accept-again-client.ts', import.meta.url));
