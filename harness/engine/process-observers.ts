/**
 * Where each server and client process of a run reports: its events go to the run's timeline,
 * a fatal error to the harness errors, its spans to a file of its own in the run folder.
 */
import { join } from 'node:path';
import type { InstanceObserver } from '../impl/implementation.ts';
import type { TracingConfig, WorkerEvent } from '../impl/instance-report.ts';
import { DEFAULT_TRACE_BUDGET } from '../observe/trace-budget.ts';
import type { RunOptions } from './run-contract.ts';
import type { RunContext } from './run-context.ts';

export class ProcessObservers {
  private readonly files: string[] = [];

  constructor(
    private readonly tracing: RunOptions['tracing'],
    private readonly runDir: string,
    private readonly context: Pick<RunContext, 'timeline' | 'harnessErrors'>,
  ) {}

  observer(name: string): InstanceObserver {
    return {
      events: (events: readonly WorkerEvent[]) =>
        this.context.timeline.addAll(events.map((event) => ({ ...event, process: name }))),
      fatal: (error: string) => this.context.harnessErrors.push(`${name}: ${error}`),
    };
  }

  /** The tracing of one process; its span file, when tracing is on, is one of `spanFiles`. */
  tracingFor(name: string): TracingConfig {
    const spansFile = this.tracing.enabled ? join(this.runDir, `spans-${name}.jsonl`) : undefined;
    if (spansFile) this.files.push(spansFile);
    return {
      enabled: this.tracing.enabled,
      sampleRatio: this.tracing.sampleRatio,
      spansFile,
      budget: this.tracing.budget ?? DEFAULT_TRACE_BUDGET,
    };
  }

  /** Span files of every process started, in the order they started. */
  get spanFiles(): readonly string[] {
    return this.files;
  }
}
