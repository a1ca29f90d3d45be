import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings for worker processes, applied when this module is evaluated: worker-main.ts
 * imports it first, before any RPC code has run. V8 reads this flag at every major
 * collection, so setting it at run time takes effect for the whole run.
 *
 * Old space may grow to 1.5x the live heap between major collections, not V8's default of
 * up to 4x. Under load a client tenures about 1 MB/s of objects that die soon after (a
 * reply's call id in the accepted-reply ledger, sampled spans waiting for export, the
 * ledger's rehashed tables). With the default factor and ~40 MB live, V8 let that garbage
 * pile up to ~160 MB of old space before collecting it: RSS rose +20 % a minute after
 * warm-up and fell back a minute later, a sawtooth no RSS target survives. With 1.5x the
 * memory bench measured clients within +-3 % over the same runs, one major collection
 * every 10-15 s (mostly concurrent marking) and no more GC time than before.
 */
setFlagsFromString('--heap-growing-percent=50');
