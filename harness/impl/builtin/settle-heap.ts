/**
 * Collects the garbage a worker made while starting (module loading, connecting, tracing
 * set-up) before its load begins. A full collection also moves the young generation's live
 * objects to old space, so the run's first scavenge copies only what the run allocated: left
 * to itself, that first scavenge copied the start-up objects too and stalled the open-loop
 * generator for tens of ms in its first second.
 *
 * `collect` is V8's gc(), present when the process runs with --expose-gc (a client worker
 * does, see CLIENT_V8_FLAGS); without it nothing happens and false says so.
 */
export function settleHeap(collect: unknown = (globalThis as { gc?: unknown }).gc): boolean {
  if (typeof collect !== 'function') return false;
  (collect as () => void)();
  return true;
}
