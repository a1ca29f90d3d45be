/**
 * What the broker tells a connection on its own initiative, as timeline event kinds: it blocked
 * the connection's publishes (`connection.blocked`, e.g. on a memory alarm), unblocked them,
 * or cancelled one of its consumers (`basic.cancel`, e.g. its queue was deleted). Seen by the
 * built-in server and client (amqplib's events) and by the frame tap of an external process.
 */
export const BROKER_NOTICE_KINDS = ['connection-blocked', 'connection-unblocked', 'consumer-cancelled'] as const;

export type BrokerNoticeKind = (typeof BROKER_NOTICE_KINDS)[number];
