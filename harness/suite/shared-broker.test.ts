import { afterAll, describe, expect, it } from 'vitest';
import { SharedBroker } from './shared-broker.ts';

const shared = new SharedBroker('local');
afterAll(() => shared.stop());

describe('the broker a suite shares between cells', { timeout: 120_000 }, () => {
  it('is started once, kept while it takes connections, and replaced after it died', async () => {
    const first = await shared.get();
    expect(await shared.get()).toBe(first);
    expect(await shared.checkAfterCell()).toBeUndefined();
    expect(shared.starts).toBe(1);

    await first.kill?.();
    const note = await shared.checkAfterCell();
    expect(note).toMatch(
      /^the shared broker \(private RabbitMQ node .*\) stopped taking connections \(.+\); the next cell starts a new one$/,
    );
    expect(shared.current).toBeUndefined();
    const second = await shared.get();
    expect(second).not.toBe(first);
    expect(shared.starts).toBe(2);
    expect(await shared.checkAfterCell()).toBeUndefined();
  });
});
