import { describe, expect, it } from 'vitest';
import type { FaultRecord } from '../model/result-schema.ts';
import { CallIdSet } from '../observe/call-id-set.ts';
import { deletedWithQueue } from './deleted-with-queue.ts';

const none = new CallIdSet().encode();

const fault: FaultRecord = {
  id: 'fault-1',
  kind: 'delete-request-queue',
  target: 'request queue',
  description: 'delete the request queue, declare it again 1000 ms later',
  trigger: 'at 2.0 s',
  fired: true,
  startMs: 2_000,
  endMs: 3_100,
};
const deletedNote = { tMs: 2_050, kind: 'note' as const, detail: 'request queue deleted' };
const RUN_START = 1_000_000;

describe('requests that went with the deleted request queue', () => {
  it('are the timed-out calls sent from the fault start until the deletion was done, plus 100 ms', () => {
    const sent = {
      published: none,
      connectionLost: none,
      returnedUnroutable: none,
      timedOutSentAt: {
        'a.1': RUN_START + 1_990, // before the fault
        'a.2': RUN_START + 2_004,
        'a.3': RUN_START + 2_140,
        'a.4': RUN_START + 2_200, // after the deletion and its margin
      },
    };
    expect([...deletedWithQueue([fault], [deletedNote], [sent], RUN_START)]).toEqual(['a.2', 'a.3']);
  });

  it('are none in a run without the fault, or whose clients reported no send times', () => {
    const sent = {
      published: none,
      connectionLost: none,
      returnedUnroutable: none,
      timedOutSentAt: { 'a.2': RUN_START + 2_004 },
    };
    expect(deletedWithQueue([{ ...fault, kind: 'kill-server' }], [deletedNote], [sent], RUN_START).size).toBe(0);
    expect(deletedWithQueue([fault], [deletedNote], [undefined], RUN_START).size).toBe(0);
  });
});
