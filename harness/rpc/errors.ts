/** Why a call did not get a result; each carries the correlation id so it can be traced. */
export class RpcCallError extends Error {
  constructor(
    message: string,
    readonly correlationId: string,
    readonly reason:
      | 'timeout'
      | 'remote-error'
      | 'bad-reply'
      | 'connection-lost'
      | 'closed'
      | 'in-flight-limit'
      | 'not-connected',
  ) {
    super(message);
    this.name = 'RpcCallError';
  }
}
