/**
 * The blackhole scenario's check: a process whose link went silent noticed it through
 * heartbeats, while the silence lasted, and connected again. A process without heartbeats (or
 * with a heartbeat longer than the blackhole) learns of it only when the blackhole ends and the
 * proxy closes the connection it held: in production, where nothing ever closes it, such a
 * process waits until the kernel's TCP timeout, many minutes.
 */
import type { Check } from '../model/check.ts';
import { describeDetection } from '../observe/loss-detection.ts';

export const lostPeerNoticed: Check = {
  id: 'lost-peer-noticed',
  title: 'Processes cut off by a blackhole noticed through heartbeats and reconnected',
  expectation: 'every process on a blackholed link lost its connection before the blackhole ended, then reconnected',
  evaluate: ({ lossDetection, faults }) => {
    if (lossDetection === undefined) return { passed: true, actual: 'not judged (a result from before it was)' };
    if (lossDetection.length === 0) return { passed: true, actual: 'no blackhole fired' };
    const described = lossDetection.map((detection) =>
      describeDetection(
        detection,
        faults.find((fault) => fault.id === detection.fault),
      ),
    );
    const failed = lossDetection.filter(
      (detection) => !detection.beforeEnd || detection.reconnectedAfterMs === undefined,
    ).length;
    return {
      passed: failed === 0,
      actual: `${failed === 0 ? 'all' : `${failed} of ${lossDetection.length} did not:`} ${described.join('; ')}`,
    };
  },
};
