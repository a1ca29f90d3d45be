import type { CreateLoadClient } from '../../../harness/impl/builtin/load-client.ts';
import { NaiveRpcClient } from './naive-rpc-client.ts';

/** A client module (ClientWorkerConfig.clientModule): any reply resolves the oldest pending call. */
const createAnyReplyClient: CreateLoadClient = (options) => new NaiveRpcClient(options, 'any-reply');
export default createAnyReplyClient;
