/**
 * Entry point of every worker process: waits for its config from the scenario runner,
 * then runs as a server or a client until told to stop.
 */
import { runClientWorker } from './client-worker.ts';
import { runServerWorker } from './server-worker.ts';
import { WorkerChannel } from './worker-channel.ts';
import type { ParentMessage, WorkerConfig } from './worker-protocol.ts';

const START_TIMEOUT_MS = 30_000;

const channel = new WorkerChannel();
const config = await new Promise<WorkerConfig>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no start message from the scenario runner within 30 s')), START_TIMEOUT_MS);
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
