import type { CreateLoadClient } from '../../../harness/impl/builtin/load-client.ts';
import { NaiveRpcClient } from './naive-rpc-client.ts';

/** A client module (ClientWorkerConfig.clientModule): a duplicate reply is accepted again for its answered call. */
const createAcceptAgainClient: CreateLoadClient = (options) => new NaiveRpcClient(options, 'accept-again');
export default createAcceptAgainClient;
