/**
 * One broker for every single-node cell of a suite: a private node boots in seconds, longer than
 * a short scenario's load. Cells stay isolated on it (each run declares a request queue of its
 * own and deletes it); a cell that restarts the broker or raises its memory alarm puts it back
 * before it ends. After each cell the node must still take a connection; one that does not is
 * stopped, and the next cell gets a fresh one.
 */
import amqp from 'amqplib';
import type { StartedBroker } from '../env/broker/broker.ts';
import { startBroker, type BrokerChoice } from '../env/select-broker.ts';

const HEALTH_TIMEOUT_MS = 5_000;

export class SharedBroker {
  private broker: StartedBroker | undefined;
  private startsMade = 0;

  constructor(private readonly choice: BrokerChoice) {}

  /** Brokers started (or attached to) so far: 1 when one node served every cell. */
  get starts(): number {
    return this.startsMade;
  }

  get current(): StartedBroker | undefined {
    return this.broker;
  }

  async get(): Promise<StartedBroker> {
    if (!this.broker) {
      this.broker = await startBroker(this.choice);
      this.startsMade++;
    }
    return this.broker;
  }

  /** After a cell: keeps the broker if it still takes a connection, else stops it and says why. */
  async checkAfterCell(): Promise<string | undefined> {
    if (!this.broker) return undefined;
    const problem = await connectionProblem(this.broker.getAmqpUrl());
    if (problem === undefined) return undefined;
    const broken = this.broker;
    this.broker = undefined;
    await broken.stop().catch(() => undefined);
    return `the shared broker (${broken.describe()}) stopped taking connections (${problem}); the next cell starts a new one`;
  }

  async stop(): Promise<void> {
    const broker = this.broker;
    this.broker = undefined;
    await broker?.stop();
  }
}

async function connectionProblem(url: string): Promise<string | undefined> {
  try {
    const connection = await amqp.connect(url, { timeout: HEALTH_TIMEOUT_MS });
    await connection.close();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
