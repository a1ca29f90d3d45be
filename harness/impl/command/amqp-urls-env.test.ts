import { describe, expect, it } from 'vitest';
import { amqpUrlsEnv } from './amqp-urls-env.ts';

const nodes = ['amqp://g:g@127.0.0.1:1001', 'amqp://g:g@127.0.0.1:1002', 'amqp://g:g@127.0.0.1:1003'];
const tapped = 'amqp://g:g@127.0.0.1:2002';

describe('AMQP_URLS for an external program', () => {
  it("lists every node in node order, the placed node's entry through the tap", () => {
    expect(amqpUrlsEnv({ amqpUrl: nodes[1] as string, amqpUrls: nodes }, tapped)).toEqual({
      AMQP_URLS: `${nodes[0]},${tapped},${nodes[2]}`,
    });
  });

  it('on a single broker holds the one tapped URL', () => {
    expect(amqpUrlsEnv({ amqpUrl: nodes[0] as string }, tapped)).toEqual({ AMQP_URLS: tapped });
    expect(amqpUrlsEnv({ amqpUrl: nodes[0] as string, amqpUrls: [nodes[0] as string] }, tapped)).toEqual({
      AMQP_URLS: tapped,
    });
  });
});
