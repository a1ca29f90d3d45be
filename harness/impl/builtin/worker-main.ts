/**
 * Entry point of every worker process: waits for its config from the scenario runner,
 * then runs as a server or a client until told to stop.
 */
import { runClientWorker } from './client-worker.ts';
import { runServerWorker } from './server-worker.ts';
import { WorkerChannel } from './worker-channel.ts';
import { MAX_LOAD_DURATION_MS } from '../../load/load-options.ts';
import type { ParentMessage, WorkerConfig } from './worker-protocol.ts';

/**
 * A worker may be started ahead of need (WarmWorkers) and wait for its turn as long as a run
 * lasts, e.g. to replace a server killed late in the run. It also exits as soon as the runner
 * goes away (the IPC channel closes; see WorkerChannel).
 */
const START_TIMEOUT_MS = MAX_LOAD_DURATION_MS + 3_600_000;

const channel = new WorkerChannel();
const config = await new Promise<WorkerConfig>((resolve, reject) => {
  const timer = setTimeout(
    () => reject(new Error(`no start message from the scenario runner within ${START_TIMEOUT_MS / 3_600_000} h`)),
    START_TIMEOUT_MS,
  );
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'start') {
      clearTimeout(timer);
      resolve(message.config);
    }
  });
});

try {
  if (config.role === 'server') await runServerWorker(config, channel);
  else await runClientWorker(config, channel);
  process.exit(0);
} catch (error) {
  await channel.sendAndFlush({ type: 'fatal', error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
