/**
 * The runner's side of the tap benchmark in its own process, as in a scenario run: the
 * built-in proxy with a `servers` and a `clients` proxy to the broker, and a frame tap in front
 * of each. Prints one JSON line with the listen ports, answers "cpu" lines with its CPU time,
 * and on stdin's end prints the taps' counters and exits.
 */
import { createInterface } from 'node:readline';
import { Toxiproxy } from 'toxiproxy-node-client';
import { BuiltinToxiproxy } from '../env/proxy/builtin-toxiproxy.ts';
import { AmqpFrameTap } from '../tap/amqp-frame-tap.ts';

const [brokerHost, brokerPort] = process.argv.slice(2) as [string, string];
const proxyServer = await new BuiltinToxiproxy({ port: 0 }).start();
const toxiproxy = new Toxiproxy(proxyServer.getApiUrl());
const proxyPort = async (name: string) => {
  const proxy = await toxiproxy.createProxy({ name, listen: '127.0.0.1:0', upstream: `${brokerHost}:${brokerPort}` });
  return Number(proxy.listen.split(':').at(-1));
};
const proxies = { servers: await proxyPort('bench-tap-servers'), clients: await proxyPort('bench-tap-clients') };
const serverTap = await new AmqpFrameTap({ upstream: { host: '127.0.0.1', port: proxies.servers }, name: 'bench-server' }).start();
const clientTap = await new AmqpFrameTap({ upstream: { host: '127.0.0.1', port: proxies.clients }, name: 'bench-client' }).start();
console.log(JSON.stringify({ proxies, taps: { servers: serverTap.getListenPort(), clients: clientTap.getListenPort() } }));

// "cpu" on stdin -> this process's CPU time so far (µs): the tap's cost with less noise than latency.
const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line.trim() !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  console.log(JSON.stringify({ cpuUs: user + system }));
});
commands.on('close', () => {
  void (async () => {
    console.log(JSON.stringify({ server: serverTap.counters, client: clientTap.counters }));
    await clientTap.stop();
    await serverTap.stop();
    await proxyServer.stop();
    process.exit(0);
  })();
});
