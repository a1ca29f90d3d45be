import type { CreateLoadClient } from '../../../harness/impl/builtin/load-client.ts';
import { FibRpcClient } from '../../../harness/rpc/fib-rpc-client.ts';

/**
 * A client module (ClientWorkerConfig.clientModule), wrong on purpose: the built-in client
 * given only the node it is placed on (AMQP_URL without AMQP_URLS), so it reconnects to that
 * node alone. On a cluster whose node it sits on is killed, it answers nothing until the node is
 * back; quorum-leader-kill's worst-client unavailability gate must fail for it.
 */
const createPlacedNodeOnlyClient: CreateLoadClient = (options) => new FibRpcClient({ ...options, amqpUrls: undefined });
export default createPlacedNodeOnlyClient;
