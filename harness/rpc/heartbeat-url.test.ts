import { describe, expect, it } from 'vitest';
import { heartbeatProblem, withHeartbeat } from './heartbeat-url.ts';

describe('the heartbeat a run asks for', () => {
  it("goes into amqplib's heartbeat URL parameter, keeping credentials, vhost and other parameters", () => {
    expect(withHeartbeat('amqp://u:p@127.0.0.1:5672/%2F?frameMax=8192', 2)).toBe(
      'amqp://u:p@127.0.0.1:5672/%2F?frameMax=8192&heartbeat=2',
    );
    expect(withHeartbeat('amqp://127.0.0.1:5672?heartbeat=2', 0)).toBe('amqp://127.0.0.1:5672?heartbeat=0');
    expect(withHeartbeat('amqp://127.0.0.1:5672', undefined)).toBe('amqp://127.0.0.1:5672');
  });

  it('is an integer of seconds from 0 (off) to 600', () => {
    expect(heartbeatProblem(2)).toBeUndefined();
    expect(heartbeatProblem(0)).toBeUndefined();
    expect(heartbeatProblem(1.5)).toBe('heartbeatSeconds must be an integer from 0 (heartbeats off) to 600, got 1.5');
    expect(heartbeatProblem(-1)).toMatch(/got -1$/);
  });
});
