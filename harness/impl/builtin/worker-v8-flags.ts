/**
 * V8 flags of every worker process, given on its command line (`execArgv`): heap sizing is
 * fixed when the isolate is created. Both keep a worker's RSS flat under steady load, so the
 * memory bench (and a long run's figures) see what the harness holds, not V8's breathing.
 * Measured with the memory bench (baseline scenario, 2 clients and 2 servers as processes):
 *
 * - `--min-semi-space-size=16`: the young generation stays at the 2 x 16 MB it grows to under
 *   load. Without it V8 shrank it to 4 MB at a major collection and regrew it over the next
 *   minute: servers' RSS moved by 20-30 MB (-11 % from the warm-up figure) with a flat old space.
 * - `--heap-growing-percent=50`: old space may grow to 1.5x the live heap between major
 *   collections instead of V8's default of up to 4x. Under load a client tenures about 1 MB/s of
 *   objects that die soon after (a reply's call id in the accepted-reply ledger for its
 *   retention time, sampled spans waiting for export, the ledger's rehashed tables). With ~40 MB
 *   live, the default let that garbage pile up to ~160 MB of old space before collecting it:
 *   RSS +20 % a minute after warm-up, then back, a sawtooth. With 1.5x, clients stayed within
 *   +-3 %, at one major collection every 10-15 s and no more GC time than before.
 */
export const WORKER_V8_FLAGS: readonly string[] = ['--min-semi-space-size=16', '--heap-growing-percent=50'];

/**
 * A client worker generates the load, so its pauses are late calls (the open-loop bench's
 * start lateness). On top of the common flags, `--expose-gc`: the worker collects its start-up
 * garbage before it reports ready (see settleHeap), so the run's first scavenge does not copy
 * the start-up objects. (`--single-threaded-gc` was tried too, against parallel scavenges
 * waiting for helper threads on a busy 2-core machine: its pauses were no shorter, 5-60 ms
 * against 5-30 ms in the same period, so it is not used.)
 */
export const CLIENT_V8_FLAGS: readonly string[] = ['--expose-gc'];

export type WorkerRole = 'client' | 'server';

/** The V8 flags a worker of this role is started with; without a role, the common ones. */
export function workerV8Flags(role?: WorkerRole): readonly string[] {
  return role === 'client' ? [...WORKER_V8_FLAGS, ...CLIENT_V8_FLAGS] : WORKER_V8_FLAGS;
}
