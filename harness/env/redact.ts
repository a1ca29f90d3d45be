/**
 * A URL's user info inside free text: scheme://user:password@. The password runs to the last
 * "@" before whitespace, a quote or an angle bracket, so a password typed with a raw "@" or
 * "/" (which a URL parser refuses or splits) is still covered whole. That may take in more
 * than the password when an "@" follows in the URL's path, never less. The user may be empty.
 * A scheme starts where no scheme character precedes it: one attempt per run of letters, so a
 * long line without URLs costs linear time.
 */
const USER_INFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/)([^\s:@/"'<>]*):([^\s"'<>]*)@/gi;

/** Replaces the password of an AMQP/HTTP URL so that logs and errors never carry credentials. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL to the parser (a raw "/" in the password makes the rest a path), but still credentials.
    return redactMessage(url);
  }
}

/** Redacts every URL-with-credentials inside a free-form message. */
export function redactMessage(message: string): string {
  return message.replace(USER_INFO, '$1$2:***@');
}
