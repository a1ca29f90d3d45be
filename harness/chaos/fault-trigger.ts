/** When a fault fires and which proxy a network fault acts on: shared by every fault kind's module. */
export type ProxyName = 'servers' | 'clients';
export const PROXY_NAMES: readonly ProxyName[] = ['servers', 'clients'];

export type Trigger = { readonly atMs: number } | { readonly afterCall: number };
