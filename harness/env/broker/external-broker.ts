import amqp from 'amqplib';
import { redactMessage, redactUrl } from '../redact.ts';
import type { StartedBroker } from './broker.ts';

/**
 * A broker the harness does not own (AMQP_URL): it is probed once, never stopped or
 * restarted, so broker faults are not available on it.
 */
export class ExternalBroker {
  constructor(private readonly amqpUrl: string) {}

  async start(): Promise<StartedExternalBroker> {
    let parsed: URL;
    try {
      parsed = new URL(this.amqpUrl);
    } catch {
      throw new Error(`AMQP_URL is not a valid URL: ${redactUrl(this.amqpUrl)}`);
    }
    if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
      throw new Error(`AMQP_URL must start with amqp:// or amqps://, got ${parsed.protocol}//`);
    }
    try {
      const connection = await amqp.connect(this.amqpUrl, { timeout: 5000 });
      const properties = connection.connection.serverProperties as Record<string, unknown>;
      await connection.close();
      return new StartedExternalBroker(this.amqpUrl, parsed, String(properties.version ?? 'unknown'));
    } catch (error) {
      throw new Error(
        `could not connect to AMQP_URL ${redactUrl(this.amqpUrl)}: ${redactMessage((error as Error).message)}; ` +
          'check that the broker runs, or unset AMQP_URL to let the harness start a private node',
      );
    }
  }
}

export class StartedExternalBroker implements StartedBroker {
  readonly kind = 'url' as const;
  constructor(
    private readonly amqpUrl: string,
    private readonly parsed: URL,
    private readonly version: string,
  ) {}
  getAmqpUrl(): string {
    return this.amqpUrl;
  }
  getHost(): string {
    return this.parsed.hostname;
  }
  getAmqpPort(): number {
    return Number(this.parsed.port || (this.parsed.protocol === 'amqps:' ? 5671 : 5672));
  }
  getVersion(): string {
    return this.version;
  }
  describe(): string {
    return `external broker ${redactUrl(this.amqpUrl)}`;
  }
  async stop(): Promise<void> {
    // Not ours to stop.
  }
  async [Symbol.asyncDispose](): Promise<void> {}
}
