/** AMQP 0-9-1 limits: at most 255 bytes; `amq.` names are reserved by the broker. */
export function validateQueueName(name: string): string | undefined {
  if (name.length === 0) return 'queue name must not be empty';
  if (Buffer.byteLength(name) > 255) return `queue name must be at most 255 bytes, got ${Buffer.byteLength(name)}`;
  if (name.startsWith('amq.')) return `queue name "${name}" starts with "amq.", which the broker reserves`;
  return undefined;
}
