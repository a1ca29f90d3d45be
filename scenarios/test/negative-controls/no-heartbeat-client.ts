import type { CreateLoadClient } from '../../../harness/impl/builtin/load-client.ts';
import { withHeartbeat } from '../../../harness/rpc/heartbeat-url.ts';
import { FibRpcClient } from '../../../harness/rpc/fib-rpc-client.ts';

/**
 * A client module (ClientWorkerConfig.clientModule), wrong on purpose: the built-in client with
 * heartbeats turned off (heartbeat 0), whatever the scenario asks for. When its network goes
 * silent it never notices, until something closes its connection; the blackhole scenario must
 * fail lost-peer-noticed for it.
 */
const createNoHeartbeatClient: CreateLoadClient = (options) =>
  new FibRpcClient({
    ...options,
    amqpUrl: withHeartbeat(options.amqpUrl, 0),
    amqpUrls: options.amqpUrls?.map((url) => withHeartbeat(url, 0)),
  });
export default createNoHeartbeatClient;
