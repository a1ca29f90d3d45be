/**
 * The runner's side of the tap benchmark in its own process, as in a scenario run: the built-in proxy with a `servers`
 * and a `clients` proxy to the broker, and in front of each a frame tap that hands bytes to the proxy in memory and one
 * that reaches it over TCP. Prints one JSON line with the listen ports, answers "cpu" lines with its CPU time, and on
 * stdin's end prints the taps' counters and exits.
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
// In memory to the built-in proxy (the default here), and over a second TCP hop as in front of a real Toxiproxy.
const tapTo = (proxyPort: number, name: string, inProcess: boolean) =>
  new AmqpFrameTap({ upstream: { host: '127.0.0.1', port: proxyPort }, name, inProcess }).start();
const serverTap = await tapTo(proxies.servers, 'bench-server', true);
const clientTap = await tapTo(proxies.clients, 'bench-client', true);
const serverTcpTap = await tapTo(proxies.servers, 'bench-server-tcp', false);
const clientTcpTap = await tapTo(proxies.clients, 'bench-client-tcp', false);
console.log(
  JSON.stringify({
    proxies,
    taps: { servers: serverTap.getListenPort(), clients: clientTap.getListenPort() },
    tcpTaps: { servers: serverTcpTap.getListenPort(), clients: clientTcpTap.getListenPort() },
  }),
);

// "cpu" on stdin -> this process's CPU time so far (µs): the tap's cost with less noise than latency.
const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line.trim() !== 'cpu') return;
  const { user, system } = process.cpuUsage();
  console.log(JSON.stringify({ cpuUs: user + system }));
});
commands.on('close', () => {
  void (async () => {
    console.log(
      JSON.stringify({
        server: serverTap.counters,
        client: clientTap.counters,
        tcpServer: serverTcpTap.counters,
        tcpClient: clientTcpTap.counters,
      }),
    );
    for (const tap of [clientTap, serverTap, clientTcpTap, serverTcpTap]) await tap.stop();
    await proxyServer.stop();
    process.exit(0);
  })();
});
