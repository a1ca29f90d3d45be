/**
 * `npm run toxiproxy -- --host 127.0.0.1 --port 8474`: the built-in proxy as a standalone
 * server with Toxiproxy's HTTP API, for users and tools that speak to Toxiproxy.
 * Exit codes: 0 stopped by SIGINT/SIGTERM, 2 bad options or the API could not listen.
 */
import { Command, InvalidArgumentError } from 'commander';
import { BuiltinToxiproxy, type StartedBuiltinToxiproxy } from '../builtin-toxiproxy.ts';
import { TOXIPROXY_API_VERSION } from '../http-api.ts';

const EXIT_OK = 0;
const EXIT_HARNESS_ERROR = 2;

function port(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65_535)
    throw new InvalidArgumentError(`expected a port from 0 to 65535, got "${value}"`);
  return parsed;
}

const program = new Command('toxiproxy')
  .description(`Toxiproxy-compatible fault proxy (API ${TOXIPROXY_API_VERSION}); proxies default to loopback addresses`)
  .option('--host <address>', 'API listen address', '127.0.0.1')
  .option('--port <port>', 'API port (0 picks a free one)', port, 8474)
  .showHelpAfterError()
  .exitOverride();

try {
  program.parse();
} catch (error) {
  // commander has already printed the problem (or the help, which exits 0).
  process.exit((error as { exitCode?: number }).exitCode === 0 ? EXIT_OK : EXIT_HARNESS_ERROR);
}
const options = program.opts<{ host: string; port: number }>();

let server: StartedBuiltinToxiproxy;
try {
  server = await new BuiltinToxiproxy({ host: options.host, port: options.port }).start();
} catch (error) {
  console.error(`toxiproxy: ${(error as Error).message}; try another --port or --host`);
  process.exit(EXIT_HARNESS_ERROR);
}
console.log(`Toxiproxy-compatible API listening on ${server.getApiUrl()} (API ${TOXIPROXY_API_VERSION})`);

// `once`: a second Ctrl-C while stopping falls back to Node's default and ends the process at once.
const shutdown = (signal: NodeJS.Signals) => {
  console.log(`toxiproxy: ${signal}, stopping`);
  server.stop().then(
    () => process.exit(EXIT_OK),
    (error: unknown) => {
      console.error(`toxiproxy: stopping failed: ${(error as Error).message}`);
      process.exit(EXIT_HARNESS_ERROR);
    },
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
