import { describe, expect, it } from 'vitest';
import { redactMessage, redactUrl } from './redact.ts';

describe('redactUrl', () => {
  it('replaces the password of amqp, amqps and http URLs, keeping user, host, port, vhost and query', () => {
    expect(redactUrl('amqp://chaos:s3cret@127.0.0.1:5672')).toBe('amqp://chaos:***@127.0.0.1:5672');
    expect(redactUrl('amqps://chaos:s3cret@broker.example:5671/%2F?heartbeat=10')).toBe(
      'amqps://chaos:***@broker.example:5671/%2F?heartbeat=10',
    );
    expect(redactUrl('http://admin:s3cret@127.0.0.1:8474')).toBe('http://admin:***@127.0.0.1:8474/');
  });

  it('replaces a percent-encoded password whole', () => {
    expect(redactUrl('amqp://chaos:p%40ss%2Fw%3Ard@127.0.0.1:5672/vh')).toBe('amqp://chaos:***@127.0.0.1:5672/vh');
  });

  it('replaces a password typed with a raw "@", taking the last "@" as the end of the user info', () => {
    expect(redactUrl('amqp://chaos:p@ss@127.0.0.1:5672')).toBe('amqp://chaos:***@127.0.0.1:5672');
  });

  it('replaces a password only the user info holds: an empty user, no user at all', () => {
    expect(redactUrl('amqp://:s3cret@127.0.0.1:5672')).toBe('amqp://:***@127.0.0.1:5672');
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactUrl('amqp://127.0.0.1:5672')).toBe('amqp://127.0.0.1:5672');
    expect(redactUrl('amqp://chaos@127.0.0.1:5672')).toBe('amqp://chaos@127.0.0.1:5672');
    expect(redactUrl('amqp://chaos:@127.0.0.1:5672')).toBe('amqp://chaos@127.0.0.1:5672');
  });

  it('still replaces the password of a URL the parser refuses', () => {
    // A raw "/" ends the authority for a URL parser: "chaos:pa" would be a host and a port.
    expect(() => new URL('amqp://chaos:pa/ss@127.0.0.1:5672')).toThrow();
    expect(redactUrl('amqp://chaos:pa/ss@127.0.0.1:5672')).toBe('amqp://chaos:***@127.0.0.1:5672');
    expect(redactUrl('amqp://chaos:s3cret@127.0.0.1:notaport')).toBe('amqp://chaos:***@127.0.0.1:notaport');
    expect(redactUrl('not a url at all')).toBe('not a url at all');
  });
});

describe('redactMessage', () => {
  it('replaces every password in a message, of any scheme, and nothing else', () => {
    const message =
      'could not connect to amqp://a:one@h1:5672 nor amqps://b:two@h2:5671/vh, ' +
      'and Toxiproxy at http://c:three@127.0.0.1:8474/version said no';
    expect(redactMessage(message)).toBe(
      'could not connect to amqp://a:***@h1:5672 nor amqps://b:***@h2:5671/vh, ' +
        'and Toxiproxy at http://c:***@127.0.0.1:8474/version said no',
    );
  });

  it('replaces a password with encoded characters, a raw "@" or "/", or an empty user, whole', () => {
    expect(redactMessage('url amqp://u:p%40ss%2F@h:1 refused')).toBe('url amqp://u:***@h:1 refused');
    expect(redactMessage('url amqp://u:p@ss@h:1 refused')).toBe('url amqp://u:***@h:1 refused');
    expect(redactMessage('url amqp://u:pa/ss@h:1 refused')).toBe('url amqp://u:***@h:1 refused');
    expect(redactMessage('url amqp://:s3cret@h:1 refused')).toBe('url amqp://:***@h:1 refused');
  });

  it(
    'ends a URL at a quote or an angle bracket, as in JSON, ' + 'and after an underscore or "=" a scheme still starts',
    () => {
      expect(redactMessage('{"urls":["amqp://u:one@h1","amqp://u:two@h2"],"contact":"ops@example.com"}')).toBe(
        '{"urls":["amqp://u:***@h1","amqp://u:***@h2"],"contact":"ops@example.com"}',
      );
      expect(redactMessage('<amqp://u:one@h1> AMQP_URL=amqp://u:two@h2 env_amqp://u:three@h3')).toBe(
        '<amqp://u:***@h1> AMQP_URL=amqp://u:***@h2 env_amqp://u:***@h3',
      );
    },
  );

  it('leaves URLs without a password, e-mail addresses and host:port pairs alone', () => {
    const message =
      'amqp://guest@127.0.0.1:5672 and http://127.0.0.1:8474/proxies and ops@example.com at 127.0.0.1:5672';
    expect(redactMessage(message)).toBe(message);
  });

  it('handles a long line without URLs in linear time', () => {
    const line = `${'a'.repeat(1_000_000)} ${'x.y-'.repeat(250_000)}:`;
    const started = performance.now();
    expect(redactMessage(line)).toBe(line);
    // Quadratic backtracking over a million characters would take minutes, not seconds.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
