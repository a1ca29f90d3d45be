/**
 * What must hold when the broker acts on its own: under a memory alarm every call still ends by
 * its timeout (a publish on a blocked connection must never hold a call), and after the broker
 * cancelled the servers' consumers (their queue deleted) every server consumes again.
 */
import type { Check } from '../model/check.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')} s`;

export const callsEndByTimeout: Check = {
  id: 'calls-end-by-timeout',
  title: 'Every call ended by its timeout, none hung',
  expectation: 'longest call <= timeout + grace, no call overdue or still pending, every client measured',
  evaluate: ({ callDeadline }) => {
    if (!callDeadline) return { passed: false, actual: 'no client measured how long its calls took to end' };
    const { longestCallMs, overdue, timeoutMs, graceMs, clientsReporting, clients } = callDeadline;
    const limitMs = timeoutMs + graceMs;
    const limit = `${seconds(limitMs)} (timeout ${seconds(timeoutMs)} + ${seconds(graceMs)} grace)`;
    const measured = clientsReporting < clients ? `; only ${clientsReporting} of ${clients} clients measured` : '';
    return {
      passed: overdue === 0 && longestCallMs <= limitMs && clientsReporting === clients,
      expectation: `every call ends within ${limit}, measured in each of the ${clients} clients`,
      actual:
        overdue === 0
          ? `longest call ${seconds(longestCallMs)}, none past ${seconds(limitMs)}${measured}`
          : `${overdue} call${overdue === 1 ? '' : 's'} did not end within ${limit} (ended later, or hung ` +
            `until the load was over and the client was closed); longest ${seconds(longestCallMs)}${measured}`,
    };
  },
};

export const serversConsumeAgain: Check = {
  id: 'servers-consume-again',
  title: 'Every server consumes the request queue again after the broker cancelled its consumer',
  expectation: 'consumers of the request queue when the load ended >= servers, after the queue was deleted',
  evaluate: ({ requestQueueConsumersAtEnd, faults, topology }) => {
    const deleted = faults.filter((fault) => fault.kind === 'delete-request-queue' && fault.fired).length;
    if (requestQueueConsumersAtEnd === undefined)
      return { passed: false, actual: 'the request queue was not looked at when the load ended' };
    return {
      passed: deleted >= 1 && requestQueueConsumersAtEnd >= topology.servers,
      actual:
        `request queue deleted ${deleted} time${deleted === 1 ? '' : 's'}; ` +
        `consumers when the load ended ${requestQueueConsumersAtEnd}, servers ${topology.servers}`,
    };
  },
};
