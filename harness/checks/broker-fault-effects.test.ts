import { describe, expect, it } from 'vitest';
import type { CheckInput } from '../model/check.ts';
import type { FaultRecord } from '../model/result-schema.ts';
import { callsEndByTimeout, serversConsumeAgain } from './broker-fault-effects.ts';

const deleted: FaultRecord = {
  id: 'fault-1',
  kind: 'delete-request-queue',
  target: 'request queue',
  description: 'delete the request queue, declare it again 1000 ms later',
  trigger: 'at 2.0 s',
  fired: true,
  startMs: 2_000,
  endMs: 3_000,
};

const input = (extra: Partial<CheckInput>): CheckInput =>
  ({ faults: [], topology: { clients: 1, servers: 2 }, ...extra }) as CheckInput;

const deadline = (longestCallMs: number, overdue: number, clientsReporting = 1) =>
  input({ callDeadline: { longestCallMs, overdue, timeoutMs: 1_000, graceMs: 2_000, clientsReporting, clients: 1 } });

describe('calls-end-by-timeout', () => {
  it('passes when the longest call ended within timeout + grace', () => {
    expect(callsEndByTimeout.evaluate(deadline(1_045, 0))).toMatchObject({
      passed: true,
      actual: 'longest call 1.045 s, none past 3 s',
    });
  });

  it('fails on calls that ended after timeout + grace or hung, naming how many and the longest', () => {
    expect(callsEndByTimeout.evaluate(deadline(6_210, 37))).toMatchObject({
      passed: false,
      actual:
        '37 calls did not end within 3 s (timeout 1 s + 2 s grace) (ended later, or hung until the load was ' +
        'over and the client was closed); longest 6.21 s',
    });
  });

  it('fails when a client did not measure its calls, or none did', () => {
    expect(callsEndByTimeout.evaluate(deadline(900, 0, 0)).passed).toBe(false);
    expect(callsEndByTimeout.evaluate(input({}))).toMatchObject({
      passed: false,
      actual: 'no client measured how long its calls took to end',
    });
  });
});

describe('servers-consume-again', () => {
  it('passes when the request queue has a consumer per server after it was deleted', () => {
    expect(serversConsumeAgain.evaluate(input({ faults: [deleted], requestQueueConsumersAtEnd: 2 }))).toEqual({
      passed: true,
      actual: 'request queue deleted 1 time; consumers when the load ended 2, servers 2',
    });
  });

  it('fails when a server stopped consuming, when the queue was never deleted, or was not looked at', () => {
    expect(serversConsumeAgain.evaluate(input({ faults: [deleted], requestQueueConsumersAtEnd: 1 })).passed).toBe(
      false,
    );
    expect(serversConsumeAgain.evaluate(input({ faults: [], requestQueueConsumersAtEnd: 2 })).passed).toBe(false);
    expect(serversConsumeAgain.evaluate(input({ faults: [deleted] }))).toEqual({
      passed: false,
      actual: 'the request queue was not looked at when the load ended',
    });
  });
});
