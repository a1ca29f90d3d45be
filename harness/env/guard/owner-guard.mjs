// @ts-check
/**
 * The owner guard: one tiny process per harness process that starts brokers, workers or
 * containers. Its stdin is a pipe from that owner; the kernel closes the pipe when the owner
 * dies, whatever killed it (SIGKILL, the OOM killer, a CI job kill). On end of input the guard
 * removes what the owner's state directory still lists, says so on stderr, and exits: it cannot
 * outlive its owner by more than that.
 *
 * At start it also removes what owners that died together with their guard left behind.
 *
 *   node owner-guard.mjs <state-dir>
 */
import { readOwner, reapDeadOwners, reapStateDir } from './leftovers.mjs';

const stateDir = process.argv[2];
if (!stateDir) {
  process.stderr.write('usage: node owner-guard.mjs <state-dir>\n');
  process.exit(2);
}

// Terminal and job-control signals are for the owner, which stops its own resources; the
// guard's job starts when the owner is gone, so it waits for the pipe to close instead.
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.on(signal, () => undefined);

/** @param {string} line */
function say(line) {
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // The terminal may be gone (closed window); removal matters more than the message.
  }
}
process.stderr.on('error', () => undefined);

const startup = reapDeadOwners().then((lines) => lines.forEach(say));

process.stdin.resume();
process.stdin.on('error', () => undefined);
process.stdin.once('close', async () => {
  await startup.catch(() => undefined);
  const owner = readOwner(stateDir);
  const removed = await reapStateDir(stateDir);
  for (const line of removed)
    say(`rpc-chaos: the harness process ${owner?.pid ?? '?'} ended without stopping this: ${line}`);
  process.exit(0);
});
