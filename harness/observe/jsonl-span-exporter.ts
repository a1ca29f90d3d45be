import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { spanRecordLine } from './span-record.ts';

type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

/**
 * Appends finished spans to a file, one JSON object (a SpanRecord) per line. Append-only
 * so several processes of a run can even share one file (each batch is one appendFile
 * call; separate files per process are still the safer default).
 *
 * Failures are reported through the export result: the BatchSpanProcessor hands them to
 * OpenTelemetry's global error handler, which logs to `diag`. Nothing is thrown to the
 * code being traced.
 */
export class JsonlFileSpanExporter implements SpanExporter {
  private writes: Promise<void> = Promise.resolve();
  private directoryReady: Promise<void> | undefined;
  private stopped = false;

  constructor(readonly file: string) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.stopped) {
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error(`spans exporter for ${this.file} is shut down`),
      });
      return;
    }
    let text: string;
    try {
      text = spans.map((span) => `${spanRecordLine(span)}\n`).join('');
    } catch (error) {
      resultCallback({ code: ExportResultCode.FAILED, error: asError(error, 'cannot serialize spans') });
      return;
    }
    // Batches are written in order; a failed write fails its batch only.
    this.writes = this.writes
      .then(() => this.ensureDirectory())
      .then(() => appendFile(this.file, text, 'utf8'))
      .then(
        () => resultCallback({ code: ExportResultCode.SUCCESS }),
        (error: unknown) =>
          resultCallback({
            code: ExportResultCode.FAILED,
            error: asError(error, `cannot write spans to ${this.file}`),
          }),
      );
  }

  async forceFlush(): Promise<void> {
    await this.writes;
  }

  async shutdown(): Promise<void> {
    this.stopped = true;
    await this.writes;
  }

  private ensureDirectory(): Promise<void> {
    this.directoryReady ??= mkdir(dirname(this.file), { recursive: true }).then(() => undefined);
    return this.directoryReady;
  }
}

function asError(error: unknown, context: string): Error {
  return new Error(`${context}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
