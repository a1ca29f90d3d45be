import type { ScenarioDefinition } from '../harness/scenario/define-scenario.ts';
import badInput from './bad-input.ts';
import baseline from './baseline.ts';
import blackhole from './blackhole.ts';
import brokerRestart from './broker-restart.ts';
import connectionReset from './connection-reset.ts';
import consumerCancel from './consumer-cancel.ts';
import crashBeforeReply from './crash-before-reply.ts';
import duplicateReply from './duplicate-reply.ts';
import lateReply from './late-reply.ts';
import memoryAlarm from './memory-alarm.ts';
import latency from './latency.ts';
import noReply from './no-reply.ts';
import nodePause from './node-pause.ts';
import partition from './partition.ts';
import partitionMinority from './partition-minority.ts';
import quorumLeaderKill from './quorum-leader-kill.ts';
import replyQueueLost from './reply-queue-lost.ts';
import rollingRestart from './rolling-restart.ts';

/** The fault catalogue, in the order `npm run scenario -- list` shows it. */
export const SCENARIOS: readonly ScenarioDefinition[] = [
  duplicateReply,
  lateReply,
  latency,
  partition,
  connectionReset,
  brokerRestart,
  crashBeforeReply,
  badInput,
  baseline,
  quorumLeaderKill,
  nodePause,
  partitionMinority,
  rollingRestart,
  blackhole,
  replyQueueLost,
  noReply,
  memoryAlarm,
  consumerCancel,
];

export function findScenario(name: string): ScenarioDefinition | undefined {
  return SCENARIOS.find((scenario) => scenario.name === name);
}
