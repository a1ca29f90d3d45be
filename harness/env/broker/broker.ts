/** What every broker environment hands to scenarios, whichever way it was started. */
export interface StartedBroker {
  /**
   * 'local' = private node, 'cluster' = private multi-node cluster, 'docker' = testcontainers, 'url' = external
   * AMQP_URL.
   */
  readonly kind: 'local' | 'docker' | 'url' | 'cluster';
  getAmqpUrl(): string;
  getHost(): string;
  getAmqpPort(): number;
  /** RabbitMQ version as the broker announced it in connection.start. */
  getVersion(): string;
  /** A one-line description without credentials. */
  describe(): string;
  /** Present when the harness owns the broker and can crash/restart it. */
  restart?(): Promise<void>;
  kill?(): Promise<void>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
