/**
 * Messages between the scenario runner (parent) and its worker processes over the Node IPC
 * channel. Workers are real processes so that a kill is a real process death. Everything a
 * worker measures reaches the parent as one of these; histograms travel as compressed base64.
 */
import type { EncodedCallsByStart } from '../../observe/calls-by-start.ts';
import type { EncodedCallIds } from '../../observe/call-id-set.ts';
import type { ClientLaunch, ServerLaunch } from '../implementation.ts';
import type { ClientTally, EncodedRecording, ServerTally, WorkerEvent } from '../instance-report.ts';
import type { EncodedSentRequests } from '../sent-requests.ts';
import type { WarmupOutcome } from '../../model/warmup.ts';

/** A server worker's start: its launch, as the runner gave it to the built-in implementation. */
export interface ServerWorkerConfig extends ServerLaunch {
  readonly role: 'server';
}

/** A client worker's start: its launch, plus the module whose client the load runs through. */
export interface ClientWorkerConfig extends ClientLaunch {
  readonly role: 'client';
  /**
   * Module whose default export creates the RPC client the load runs through (a
   * CreateLoadClient); absent: the built-in FibRpcClient. See BuiltinClientOptions.
   */
  readonly clientModule?: string;
}

export type WorkerConfig = ServerWorkerConfig | ClientWorkerConfig;

export type WorkerMessage =
  /** Connected, and for a client: its warm-up calls ended, with how. */
  | { readonly type: 'ready'; readonly warmup?: WarmupOutcome }
  | { readonly type: 'events'; readonly events: WorkerEvent[] }
  | {
      readonly type: 'progress';
      readonly client?: ClientTally;
      readonly server?: ServerTally;
      /** Requests this server handled since its previous message (the parent keeps the union). */
      readonly handledCallIds?: EncodedCallIds;
    }
  | {
      readonly type: 'fault-point';
      readonly point: string;
      readonly request: number;
      readonly correlationId?: string;
      readonly atMs: number;
    }
  | {
      readonly type: 'final';
      readonly client?: ClientTally;
      readonly server?: ServerTally;
      /** Compressed base64 histograms, microseconds. */
      readonly latency?: EncodedRecording;
      /** A client's calls by the interval of their intended start, for phase gates. */
      readonly callsByStart?: EncodedCallsByStart;
      readonly queueWait?: EncodedRecording;
      readonly service?: EncodedRecording;
      readonly handledCallIds?: EncodedCallIds;
      /** A client's published requests, for the request-accounting check. */
      readonly sentRequests?: EncodedSentRequests;
      /** Open loop: how late the generator started each call against its intended time (compressed base64, µs). */
      readonly startLateness?: string;
    }
  | { readonly type: 'fatal'; readonly error: string };

export type ParentMessage =
  | { readonly type: 'start'; readonly config: WorkerConfig }
  /** Clients start their load on 'go'; its time is the run start all intervals count from. */
  | { readonly type: 'go'; readonly runStartEpochMs: number }
  | { readonly type: 'stop' }
  /** A server withholds its replies from now on (consumes and acks only), or replies again. */
  | { readonly type: 'withhold-replies'; readonly withhold: boolean };
