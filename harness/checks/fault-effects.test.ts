import { describe, expect, it } from 'vitest';
import { cleanRunInput, fault } from './test/check-input-fixture.ts';
import {
  badInputRejected,
  brokerRestartSurvived,
  connectionsRecovered,
  duplicatesDiscarded,
  faultDisruptedCalls,
  lateRepliesDiscarded,
  latencyReflectsInjected,
  noDuplicateReplies,
  recoveredAfterFaults,
  requestsRedelivered,
} from './fault-effects.ts';

const killAtFaultPoint = fault('kill-server-at-fault-point');

describe('fault-effect checks', () => {
  describe('duplicates-discarded', () => {
    it('passes when each kill between reply and ack left a discarded duplicate', () => {
      const input = cleanRunInput({
        faults: [killAtFaultPoint, killAtFaultPoint],
        counters: { discarded: { duplicate: 2, late: 0, unknown: 0 } },
      });
      expect(duplicatesDiscarded.evaluate(input).passed).toBe(true);
    });
    it('fails when a kill left no discarded duplicate', () => {
      const input = cleanRunInput({
        faults: [killAtFaultPoint, killAtFaultPoint],
        counters: { discarded: { duplicate: 1, late: 0, unknown: 0 } },
      });
      expect(duplicatesDiscarded.evaluate(input).passed).toBe(false);
    });
    it('fails when the kill never fired (the run did not test the race)', () => {
      const input = cleanRunInput({
        faults: [fault('kill-server-at-fault-point', false)],
        counters: { discarded: { duplicate: 3, late: 0, unknown: 0 } },
      });
      expect(duplicatesDiscarded.evaluate(input).passed).toBe(false);
    });
    it('says discarded for the built-in client, and delivered to the client for one seen by the frame tap', () => {
      const seenBy = (who: 'client' | 'frame tap') =>
        cleanRunInput({
          faults: [killAtFaultPoint],
          counters: { discarded: { duplicate: 1, late: 0, unknown: 0 } },
          staleReplyClients: [
            {
              process: 'client-1',
              seenBy: who,
              staleReplies: [{ tMs: 900, kind: 'duplicate' }],
              staleRepliesCounted: 1,
              calls: [],
              intervalMs: 250,
              failures: [],
              errorGroups: [],
            },
          ],
        });
      expect(duplicatesDiscarded.titleFor?.(seenBy('client'))).toBe(duplicatesDiscarded.title);
      expect(duplicatesDiscarded.evaluate(seenBy('client')).actual).toBe(
        'killed at the fault point 1, duplicates discarded 1',
      );
      expect(duplicatesDiscarded.titleFor?.(seenBy('frame tap'))).toBe(
        'Each kill between reply and ack produced a duplicate reply delivered to client-1',
      );
      expect(duplicatesDiscarded.evaluate(seenBy('frame tap')).actual).toBe(
        'killed at the fault point 1, duplicates delivered to client-1 (seen by the frame tap) 1',
      );
    });
  });

  describe('requests-redelivered', () => {
    it('passes when each killed server left a redelivered request', () => {
      expect(
        requestsRedelivered.evaluate(cleanRunInput({ faults: [killAtFaultPoint], counters: { redelivered: 1 } }))
          .passed,
      ).toBe(true);
    });
    it('fails when nothing was redelivered after a kill', () => {
      expect(
        requestsRedelivered.evaluate(cleanRunInput({ faults: [killAtFaultPoint], counters: { redelivered: 0 } }))
          .passed,
      ).toBe(false);
    });
    it('fails without a kill', () => {
      expect(requestsRedelivered.evaluate(cleanRunInput({ counters: { redelivered: 5 } })).passed).toBe(false);
    });
  });

  describe('late-replies-discarded', () => {
    it('passes when calls timed out and their late replies were discarded', () => {
      expect(
        lateRepliesDiscarded.evaluate(
          cleanRunInput({ counters: { timedOut: 3, discarded: { duplicate: 0, late: 3, unknown: 0 } } }),
        ).passed,
      ).toBe(true);
    });
    it('fails when timed-out calls left no discarded late reply', () => {
      expect(lateRepliesDiscarded.evaluate(cleanRunInput({ counters: { timedOut: 3 } })).passed).toBe(false);
    });
  });

  describe('recovered-after-faults', () => {
    it('passes when calls were answered after the last fault', () => {
      expect(recoveredAfterFaults.evaluate(cleanRunInput({ answeredAfterLastFault: 40 })).passed).toBe(true);
    });
    it('fails when nothing was answered after the last fault', () => {
      expect(recoveredAfterFaults.evaluate(cleanRunInput({ answeredAfterLastFault: 0 })).passed).toBe(false);
    });
    it('judges within the recovery allowance, and says which one', () => {
      const late = recoveredAfterFaults.evaluate(
        cleanRunInput({ answeredAfterLastFault: 40, answeredWithinRecoveryAllowance: 0, recoveryAllowanceMs: 3_000 }),
      );
      expect(late.passed).toBe(false);
      expect(late.expectation).toBe(
        'calls answered within 3 s (the recovery allowance) after the last fault ended >= 1',
      );
      expect(late.actual).toBe('answered within 3 s after the last fault 0, after it in all 40');
      const inTime = recoveredAfterFaults.evaluate(
        cleanRunInput({ answeredAfterLastFault: 40, answeredWithinRecoveryAllowance: 12 }),
      );
      expect(inTime.passed).toBe(true);
      expect(inTime.expectation).toContain('within 7 s (the recovery allowance)');
    });
  });

  describe('fault-disrupted-calls', () => {
    it('passes when the fault caused timeouts or connection errors', () => {
      expect(faultDisruptedCalls.evaluate(cleanRunInput({ counters: { timedOut: 1 } })).passed).toBe(true);
      expect(faultDisruptedCalls.evaluate(cleanRunInput({ counters: { connectionLost: 1 } })).passed).toBe(true);
    });
    it('fails when the fault disrupted nothing', () => {
      expect(faultDisruptedCalls.evaluate(cleanRunInput()).passed).toBe(false);
    });
  });

  describe('broker-restart-survived', () => {
    const topology = { clients: 2, servers: 3 };
    it('passes when every client and server reconnected after the restart', () => {
      expect(
        brokerRestartSurvived.evaluate(cleanRunInput({ topology, counters: { brokerRestarts: 1, reconnects: 5 } }))
          .passed,
      ).toBe(true);
    });
    it('fails when one process of the five did not reconnect', () => {
      const result = brokerRestartSurvived.evaluate(
        cleanRunInput({ topology, counters: { brokerRestarts: 1, reconnects: 4 } }),
      );
      expect(result.passed).toBe(false);
      expect(result.actual).toContain('reconnects 4 of 5 needed');
    });
    it('fails when two restarts brought only one round of reconnects', () => {
      expect(
        brokerRestartSurvived.evaluate(cleanRunInput({ topology, counters: { brokerRestarts: 2, reconnects: 5 } }))
          .passed,
      ).toBe(false);
    });
    it('fails naming the process a frame tap saw lose its connection and never re-establish one', () => {
      // Five reconnects in all: server-1 reconnected twice, which hides server-2 in the sum.
      const processConnections = [
        { process: 'client-1', established: 2, lost: 1, reestablished: 1, failedAttempts: 4 },
        { process: 'client-2', established: 2, lost: 1, reestablished: 1, failedAttempts: 0 },
        { process: 'server-1', established: 3, lost: 2, reestablished: 2, failedAttempts: 9 },
        { process: 'server-2', established: 1, lost: 1, reestablished: 0, failedAttempts: 0 },
        { process: 'server-3', established: 2, lost: 1, reestablished: 1, failedAttempts: 0 },
      ];
      const result = brokerRestartSurvived.evaluate(
        cleanRunInput({ topology, counters: { brokerRestarts: 1, reconnects: 5 }, processConnections }),
      );
      expect(result.passed).toBe(false);
      expect(result.actual).toContain('did not re-establish a lost connection: server-2');
      expect(result.actual).toContain('server-1 lost 2, re-established 2');
    });
    it('fails when the broker never restarted', () => {
      expect(brokerRestartSurvived.evaluate(cleanRunInput({ topology, counters: { reconnects: 9 } })).passed).toBe(
        false,
      );
    });
  });

  describe('bad-input-rejected', () => {
    it('passes when every malformed request got an error reply and good calls were answered', () => {
      expect(badInputRejected.evaluate(cleanRunInput({ badInputSent: 10, badInputRejected: 10 })).passed).toBe(true);
    });
    it('fails when a malformed request got no error reply', () => {
      expect(badInputRejected.evaluate(cleanRunInput({ badInputSent: 10, badInputRejected: 9 })).passed).toBe(false);
    });
    it('fails when no malformed request was sent', () => {
      expect(badInputRejected.evaluate(cleanRunInput()).passed).toBe(false);
    });
    it('fails when the servers stopped answering good calls', () => {
      expect(
        badInputRejected.evaluate(
          cleanRunInput({ badInputSent: 10, badInputRejected: 10, counters: { answered: 0, correct: 0 } }),
        ).passed,
      ).toBe(false);
    });
  });

  describe('latency-reflects-injected', () => {
    const check = latencyReflectsInjected(100, 60);
    it('passes when p50 lies within the injected latency plus tolerance', () => {
      expect(check.evaluate(cleanRunInput({ latencyP50Ms: 104 })).passed).toBe(true);
    });
    it('fails when p50 is below the injected latency (the toxic did not bite)', () => {
      expect(check.evaluate(cleanRunInput({ latencyP50Ms: 3 })).passed).toBe(false);
    });
    it('fails when p50 is above the tolerance', () => {
      expect(check.evaluate(cleanRunInput({ latencyP50Ms: 200 })).passed).toBe(false);
    });
    it('fails when no call was answered', () => {
      expect(check.evaluate(cleanRunInput({ latencyP50Ms: undefined })).passed).toBe(false);
    });
  });

  describe('no-duplicate-replies', () => {
    it('passes with no discarded duplicate', () => {
      expect(noDuplicateReplies.evaluate(cleanRunInput()).passed).toBe(true);
    });
    it('fails on a discarded duplicate', () => {
      expect(
        noDuplicateReplies.evaluate(cleanRunInput({ counters: { discarded: { duplicate: 1, late: 0, unknown: 0 } } }))
          .passed,
      ).toBe(false);
    });
  });

  describe('connections-recovered', () => {
    const check = connectionsRecovered(2);
    it('passes with as many reconnects as closed connections', () => {
      expect(check.evaluate(cleanRunInput({ counters: { reconnects: 2 } })).passed).toBe(true);
    });
    it('fails with fewer', () => {
      expect(check.evaluate(cleanRunInput({ counters: { reconnects: 1 } })).passed).toBe(false);
    });
    it('states the recovery allowance the load ran on for after the last cut', () => {
      expect(check.evaluate(cleanRunInput({ recoveryAllowanceMs: 9_500 })).expectation).toBe(
        'reconnects >= 2, and every process a frame tap saw lose its connection re-established one, ' +
          'the load running on for the recovery allowance (9.5 s) after the last cut',
      );
    });
    it('passes when every process a frame tap saw lose its connection re-established one', () => {
      const processConnections = [
        { process: 'server-1', established: 2, lost: 1, reestablished: 1, failedAttempts: 0 },
        { process: 'server-2', established: 2, lost: 1, reestablished: 1, failedAttempts: 3 },
      ];
      const result = check.evaluate(cleanRunInput({ counters: { reconnects: 2 }, processConnections }));
      expect(result.passed).toBe(true);
      expect(result.actual).toContain('server-2 lost 1, re-established 1');
    });
    it('fails naming a process that never came back, however many reconnects the others made', () => {
      const processConnections = [
        { process: 'server-1', established: 3, lost: 2, reestablished: 2, failedAttempts: 0 },
        { process: 'server-2', established: 1, lost: 1, reestablished: 0, failedAttempts: 0 },
      ];
      const result = check.evaluate(cleanRunInput({ counters: { reconnects: 2 }, processConnections }));
      expect(result.passed).toBe(false);
      expect(result.actual).toContain('did not re-establish a lost connection: server-2');
    });
  });
});
