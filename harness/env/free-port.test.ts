import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findFreePorts } from './free-port.ts';

const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('free ports for other programs', { timeout: 30_000 }, () => {
  it('are distinct, bindable on the address asked for, and below the kernel ephemeral range', async () => {
    const ports = await findFreePorts(3, '127.0.0.7');
    expect(new Set(ports).size).toBe(3);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(ephemeralStart);
      await new Promise<void>((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen({ host: '127.0.0.7', port, exclusive: true }, () => server.close(() => resolve()));
      });
    }
  });
});
