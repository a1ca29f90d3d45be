/** AMQP_HEARTBEAT for an external program (PROTOCOL.md), when the scenario sets a heartbeat. */
export function heartbeatEnv(heartbeatSeconds: number | undefined): { AMQP_HEARTBEAT?: string } {
  return heartbeatSeconds === undefined ? {} : { AMQP_HEARTBEAT: String(heartbeatSeconds) };
}
