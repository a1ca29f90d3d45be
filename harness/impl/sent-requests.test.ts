import { describe, expect, it } from 'vitest';
import { CallIdSet } from '../observe/call-id-set.ts';
import { RpcCallError } from '../rpc/errors.ts';
import { SentRequests } from './sent-requests.ts';

const timedOut = (id: string) => new RpcCallError(`call ${id} got no reply`, id, 'timeout');
const lostWithConnection = (sent: SentRequests) => CallIdSet.decode(sent.encode().connectionLost);

describe('requests lost with a connection that went silent', () => {
  it('counts the calls that timed out since the last reply as lost when the connection then dies', () => {
    const sent = new SentRequests();
    sent.failed(timedOut('c.1'));
    sent.answered('c.2');
    // Silence: no reply any more, the calls time out, then heartbeats give the connection up.
    sent.failed(timedOut('c.3'));
    sent.failed(timedOut('c.4'));
    sent.connectionDied();
    const lost = lostWithConnection(sent);
    expect([lost.has('c.3'), lost.has('c.4')]).toEqual([true, true]);
    // A reply came after c.1 on that connection: it was alive, so c.1's timeout is the server's, not the link's.
    expect(lost.has('c.1')).toBe(false);
    expect(CallIdSet.decode(sent.encode().published).size).toBe(4);
  });

  it('excuses no timeout while the connection lives, and each only once', () => {
    const sent = new SentRequests();
    sent.failed(timedOut('c.1'));
    expect(lostWithConnection(sent).size).toBe(0);
    sent.connectionDied();
    sent.failed(timedOut('c.2'));
    sent.connectionDied();
    expect(lostWithConnection(sent).size).toBe(2);
  });
});
