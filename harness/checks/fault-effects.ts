import type { Check, CheckInput } from '../model/check.ts';
import { DEFAULT_RECOVERY_ALLOWANCE_MS, formatAllowance } from '../model/recovery-allowance.ts';
import type { ProcessConnections } from '../model/tap-observations.ts';

const allowanceOf = ({ recoveryAllowanceMs }: Pick<CheckInput, 'recoveryAllowanceMs'>) =>
  formatAllowance(recoveryAllowanceMs ?? DEFAULT_RECOVERY_ALLOWANCE_MS);

/**
 * Checks that a fault's effect was seen, so that a run in which the fault never bit fails
 * instead of passing vacuously. Scenarios pick the ones that fit their faults.
 */

const killsAtFaultPoint = (faults: readonly { kind: string; fired: boolean }[]) =>
  faults.filter((fault) => fault.kind === 'kill-server-at-fault-point' && fault.fired).length;

/**
 * Who saw the stale replies: the built-in client discards them itself; for an external client
 * the frame tap sees them delivered, and what the client did with them shows only in its calls
 * (the check kept-working-after-stale-replies).
 */
function staleRepliesSeen(input: CheckInput): { delivered?: string; counted: string } {
  const tapped = (input.staleReplyClients ?? []).filter((client) => client.seenBy === 'frame tap');
  if (tapped.length === 0) return { counted: 'discarded' };
  const delivered = `delivered to ${tapped.map((client) => client.process).join(', ')}`;
  return { delivered, counted: `${delivered} (seen by the frame tap)` };
}

export const duplicatesDiscarded: Check = {
  id: 'duplicates-discarded',
  title: 'Each kill between reply and ack produced a duplicate reply that was discarded',
  titleFor: (input) =>
    'Each kill between reply and ack produced a duplicate reply ' +
    (staleRepliesSeen(input).delivered ?? 'that was discarded'),
  expectation:
    'duplicates discarded (or delivered, for an external client) >= servers killed at afterReplyBeforeAck >= 1',
  evaluate: (input) => {
    const { counters, faults } = input;
    const kills = killsAtFaultPoint(faults);
    return {
      passed: kills >= 1 && counters.discarded.duplicate >= kills,
      actual:
        `killed at the fault point ${kills}, ` +
        `duplicates ${staleRepliesSeen(input).counted} ${counters.discarded.duplicate}`,
    };
  },
};

export const requestsRedelivered: Check = {
  id: 'requests-redelivered',
  title: 'The broker redelivered what killed servers left unacked',
  expectation: 'redelivered requests >= servers killed with unacked requests >= 1',
  evaluate: ({ counters, faults }) => {
    const kills = faults.filter((fault) => fault.kind.startsWith('kill-server') && fault.fired).length;
    return {
      passed: kills >= 1 && counters.redelivered >= kills,
      actual: `server kills ${kills}, redelivered requests ${counters.redelivered}`,
    };
  },
};

export const lateRepliesDiscarded: Check = {
  id: 'late-replies-discarded',
  title: 'Replies that arrived after their call timed out were discarded as stale',
  titleFor: (input) =>
    `Replies that arrived after their call timed out were ${staleRepliesSeen(input).delivered ?? 'discarded as stale'}`,
  expectation: 'timed out >= 1 and late replies discarded (or delivered, for an external client) >= 1',
  evaluate: (input) => ({
    passed: input.counters.timedOut >= 1 && input.counters.discarded.late >= 1,
    actual:
      `timed out ${input.counters.timedOut}, ` +
      `late replies ${staleRepliesSeen(input).counted} ${input.counters.discarded.late}`,
  }),
};

export const recoveredAfterFaults: Check = {
  id: 'recovered-after-faults',
  title: 'Calls succeeded again after the last fault ended',
  expectation: 'calls answered within the recovery allowance after the last fault ended >= 1',
  evaluate: (input) => {
    const within = input.answeredWithinRecoveryAllowance ?? input.answeredAfterLastFault;
    return {
      passed: within >= 1,
      expectation:
        `calls answered within ${allowanceOf(input)} (the recovery allowance) ` + 'after the last fault ended >= 1',
      actual:
        `answered within ${allowanceOf(input)} after the last fault ${within}, ` +
        `after it in all ${input.answeredAfterLastFault}`,
    };
  },
};

export const faultDisruptedCalls: Check = {
  id: 'fault-disrupted-calls',
  title: 'The fault disrupted calls (timeouts or connection errors were seen)',
  expectation: 'timed out + connection lost + other errors >= 1',
  evaluate: ({ counters }) => {
    const disrupted = counters.timedOut + counters.connectionLost + counters.otherErrors;
    return {
      passed: disrupted >= 1,
      actual:
        `timed out ${counters.timedOut}, connection lost ${counters.connectionLost}, ` +
        `other errors ${counters.otherErrors}`,
    };
  },
};

export const brokerRestartSurvived: Check = {
  id: 'broker-restart-survived',
  title: 'Clients and servers reconnected after the broker restart',
  expectation:
    'broker restarts >= 1 and reconnects >= broker restarts x (clients + servers), ' +
    'and every process a frame tap saw lose its connection re-established one',
  evaluate: ({ counters, topology, processConnections, recoveryAllowanceMs }) => {
    // A restart drops every connection: each client and server process must come back once per restart.
    const needed = counters.brokerRestarts * (topology.clients + topology.servers);
    const perProcess = judgeProcesses(processConnections);
    return {
      passed: counters.brokerRestarts >= 1 && counters.reconnects >= needed && perProcess.passed,
      expectation:
        'broker restarts >= 1 and reconnects >= broker restarts x (clients + servers), ' +
        'and every process a frame tap saw lose its connection re-established one, ' +
        `the load running on for the recovery allowance (${allowanceOf({ recoveryAllowanceMs })}) ` +
        'after the restart',
      actual:
        `broker restarts ${counters.brokerRestarts}, reconnects ${counters.reconnects} of ${needed} needed ` +
        `(${topology.clients} clients + ${topology.servers} servers)${perProcess.actual}`,
    };
  },
};

/**
 * Per process, from its tap: each loss answered by a new established connection. One process's
 * retries or extra reconnects cannot hide another that never came back.
 */
function judgeProcesses(records: readonly ProcessConnections[] | undefined): { passed: boolean; actual: string } {
  if (!records || records.length === 0) return { passed: true, actual: '' };
  const notBack = records.filter((r) => r.lost > r.reestablished);
  const each = records
    .filter((r) => r.lost > 0 || r.reestablished > 0)
    .map((r) => `${r.process} lost ${r.lost}, re-established ${r.reestablished}`);
  const seen = each.length > 0 ? `; per process (frame tap): ${each.join(', ')}` : '; no process lost a connection';
  const verdict =
    notBack.length > 0 ? `; did not re-establish a lost connection: ${notBack.map((r) => r.process).join(', ')}` : '';
  return { passed: notBack.length === 0, actual: `${seen}${verdict}` };
}

export const badInputRejected: Check = {
  id: 'bad-input-rejected',
  title: 'Every malformed request got an error reply and the servers kept serving',
  expectation: 'malformed requests rejected = malformed requests sent >= 1, and good calls answered >= 1',
  evaluate: ({ counters, badInputSent, badInputRejected }) => ({
    passed: badInputSent >= 1 && badInputRejected === badInputSent && counters.answered >= 1,
    actual:
      `malformed sent ${badInputSent}, rejected with an error reply ${badInputRejected}, ` +
      `server bad-request count ${counters.badRequests}, good calls answered ${counters.answered}`,
  }),
};

/** The measured median latency reflects an injected latency, within a tolerance. */
export function latencyReflectsInjected(injectedMs: number, toleranceMs: number): Check {
  return {
    id: 'latency-reflects-injected',
    title: `Measured latency reflects the injected ${injectedMs} ms`,
    expectation: `${injectedMs} ms <= p50 <= ${injectedMs + toleranceMs} ms`,
    evaluate: ({ latencyP50Ms }) => ({
      passed: latencyP50Ms !== undefined && latencyP50Ms >= injectedMs && latencyP50Ms <= injectedMs + toleranceMs,
      actual: latencyP50Ms === undefined ? 'no answered calls' : `p50 ${latencyP50Ms.toFixed(2)} ms`,
    }),
  };
}

export const noDuplicateReplies: Check = {
  id: 'no-duplicate-replies',
  title: 'A server killed before replying caused no duplicate reply',
  expectation: 'discarded duplicates = 0',
  evaluate: ({ counters }) => ({
    passed: counters.discarded.duplicate === 0,
    actual: `duplicates discarded ${counters.discarded.duplicate}`,
  }),
};

/**
 * Each connection-closing fault forced a reconnect that succeeded; where a frame tap sees the
 * processes (external implementations), each one that lost a connection re-established one.
 */
export function connectionsRecovered(minimumReconnects: number): Check {
  return {
    id: 'connections-recovered',
    title: 'Closed connections were re-established',
    expectation:
      `reconnects >= ${minimumReconnects}, ` +
      'and every process a frame tap saw lose its connection re-established one',
    evaluate: (input) => {
      const perProcess = judgeProcesses(input.processConnections);
      return {
        passed: input.counters.reconnects >= minimumReconnects && perProcess.passed,
        expectation:
          `reconnects >= ${minimumReconnects}, ` +
          'and every process a frame tap saw lose its connection re-established one, ' +
          `the load running on for the recovery allowance (${allowanceOf(input)}) after the last cut`,
        actual:
          `reconnects ${input.counters.reconnects}, ` +
          `connection-lost calls ${input.counters.connectionLost}${perProcess.actual}`,
      };
    },
  };
}
