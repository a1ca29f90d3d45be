import { LatencyRecorder, type EncodedRecording } from '../../observe/latency-recorder.ts';
import { setupTracing } from '../../observe/tracing.ts';
import type { TracingConfig } from '../instance-report.ts';

export interface WorkerRecorder {
  /** Records one latency in microseconds. */
  record(latencyUs: number): void;
  encode(): EncodedRecording;
}

export interface WorkerObservation {
  /** A latency recorder whose intervals count from the run start the parent chose. */
  newRecorder(runStartEpochMs: number): WorkerRecorder;
  /** Exports spans recorded so far: before a planned death, and before the final report. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Tracing is set up once per worker process, here at its edge; the RPC code only uses the API. */
export async function startWorkerObservation(processName: string, tracing: TracingConfig): Promise<WorkerObservation> {
  const tracer = await setupTracing({
    serviceName: processName,
    enabled: tracing.enabled,
    sampleRatio: tracing.sampleRatio,
    spansFile: tracing.spansFile,
    budget: tracing.budget,
  });
  return {
    newRecorder: (runStartEpochMs) => new LatencyRecorder({ runStartEpochMs }),
    flush: () => tracer.forceFlush(),
    shutdown: () => tracer.shutdown(),
  };
}
