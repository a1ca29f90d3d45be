/**
 * The AMQP heartbeat a run tells its implementations to use (a scenario's `heartbeatSeconds`):
 * the built-in server and client ask for it with amqplib's `heartbeat` URL parameter, external
 * programs read it from AMQP_HEARTBEAT. 0 turns heartbeats off; left out, the broker's
 * proposal (60 s on RabbitMQ) applies.
 */

/** `amqpUrl` asking for `heartbeatSeconds`; unchanged when it is undefined. */
export function withHeartbeat(amqpUrl: string, heartbeatSeconds: number | undefined): string {
  if (heartbeatSeconds === undefined) return amqpUrl;
  const url = new URL(amqpUrl);
  url.searchParams.set('heartbeat', String(heartbeatSeconds));
  return url.toString();
}

/** Why `heartbeatSeconds` is not a heartbeat a client can ask for; undefined when it is one. */
export function heartbeatProblem(heartbeatSeconds: number | undefined): string | undefined {
  if (heartbeatSeconds === undefined) return undefined;
  if (Number.isInteger(heartbeatSeconds) && heartbeatSeconds >= 0 && heartbeatSeconds <= 600) return undefined;
  return `heartbeatSeconds must be an integer from 0 (heartbeats off) to 600, got ${String(heartbeatSeconds)}`;
}
