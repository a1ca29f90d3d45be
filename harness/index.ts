/**
 * The public API a scenario file may import (see scenarios/README.md): `defineScenario`,
 * the checks to pick from, and the types a definition is made of. Anything else in
 * harness/ is internal and may change.
 */
export { defineScenario, validateScenario, type ScenarioDefinition } from './scenario/define-scenario.ts';
export type { FaultSpec, ProxyName, ToxicSpec, Trigger } from './chaos/fault-spec.ts';
export type { Check, CheckInput } from './model/check.ts';
export {
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
} from './checks/fault-effects.ts';
export { clientMemoryBounded, pendingCallsDrained } from './checks/no-reply.ts';
export { callsEndByTimeout, serversConsumeAgain } from './checks/broker-fault-effects.ts';
export type { LoadOptions } from './load/load-options.ts';
export type { CommandImplementationSpec, ImplementationsSpec } from './scenario/implementation-spec.ts';
export type { ReplyMode } from './rpc/fib-rpc-client.ts';
export { lostPeerNoticed } from './checks/lost-peer.ts';
export { replyQueueRenewed } from './checks/reply-queue-renewed.ts';
