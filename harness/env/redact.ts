/** Replaces the password of an AMQP/HTTP URL so that logs and errors never carry credentials. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
  }
}

/** Redacts every URL-with-credentials inside a free-form message. */
export function redactMessage(message: string): string {
  return message.replace(/([a-z][a-z0-9+.-]*:\/\/)([^:@/\s]+):([^@/\s]+)@/gi, '$1$2:***@');
}
