/**
 * `npm run toxiproxy -- --host 127.0.0.1 --port 8474`: the built-in proxy as a standalone
 * server with Toxiproxy's HTTP API, for users and tools that speak to Toxiproxy.
 */
import { Command, InvalidArgumentError } from 'commander';
import { BuiltinToxiproxy } from '../builtin-toxiproxy.ts';
import { TOXIPROXY_API_VERSION } from '../http-api.ts';

function port(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65_535) throw new InvalidArgumentError(`expected a port from 0 to 65535, got "${value}"`);
  return parsed;
}

const program = new Command('toxiproxy')
  .description(`Toxiproxy-compatible fault proxy (API ${TOXIPROXY_API_VERSION})`)
  .option('--host <address>', 'API listen address', '127.0.0.1')
  .option('--port <port>', 'API port', port, 8474)
  .showHelpAfterError()
  .exitOverride();

try {
  program.parse();
} catch (error) {
  process.exit((error as { exitCode?: number }).exitCode === 0 ? 0 : 2);
}
const options = program.opts<{ host: string; port: number }>();
let server;
try {
  server = await new BuiltinToxiproxy({ host: options.host, port: options.port }).start();
} catch (error) {
  console.error(`toxiproxy: ${(error as Error).message}`);
  process.exit(2);
}
console.log(`Toxiproxy-compatible API listening on ${server.getApiUrl()} (API ${TOXIPROXY_API_VERSION})`);
const started = server;
const shutdown = async () => {
  await started.stop();
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
