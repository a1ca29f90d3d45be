/**
 * A client's failed calls grouped by error text, bounded: a long run with ever new texts keeps
 * the first MAX_ERROR_GROUPS groups and counts the rest, so memory stays flat. Both wings use it:
 * the built-in client worker with its call errors, the command client with its driver's error
 * strings and the harness's own reasons for giving up on a call.
 */

export const MAX_ERROR_GROUPS = 50;
/** A group's example text is cut here: a driver may put a whole stack trace in an error line. */
const MAX_EXAMPLE_CHARS = 300;

/** What a client process reports: times are epoch ms, turned into run time when the result is assembled. */
export interface EncodedErrorGroups {
  readonly groups: ReadonlyArray<{
    readonly pattern: string;
    readonly example: string;
    readonly count: number;
    readonly firstAtMs: number;
    readonly lastAtMs: number;
  }>;
  /** Failures not grouped because the process already held MAX_ERROR_GROUPS groups. */
  readonly ungrouped: number;
}

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const GENERATED_QUEUE = /\bamq\.gen-[\w-]+/g;
const HEX = /\b(?:0x[0-9a-f]+|[0-9a-f]*\d[0-9a-f]*[a-f][0-9a-f]*|[0-9a-f]*[a-f][0-9a-f]*\d[0-9a-f]*)\b/gi;
const NUMBER = /\d+(?:\.\d+)?/g;

/**
 * The error text with what differs from call to call replaced: correlation ids (UUIDs and other
 * hex ids), generated queue names and numbers (call ids, n, milliseconds, delivery tags).
 */
export function errorPattern(text: string): string {
  return text
    .replace(UUID, '<id>')
    .replace(GENERATED_QUEUE, 'amq.gen-<id>')
    .replace(HEX, (word) => (word.length >= 8 ? '<id>' : word))
    .replace(NUMBER, '#')
    .trim();
}

export class ErrorGroupRecorder {
  private readonly groups = new Map<
    string,
    { pattern: string; example: string; count: number; firstAtMs: number; lastAtMs: number }
  >();
  private ungrouped = 0;

  constructor(private readonly maxGroups = MAX_ERROR_GROUPS) {}

  /** One call failed with `text` at `atMs` (epoch ms). */
  failed(text: string, atMs = Date.now()): void {
    const pattern = errorPattern(text);
    const group = this.groups.get(pattern);
    if (group) {
      group.count++;
      group.lastAtMs = Math.max(group.lastAtMs, atMs);
      return;
    }
    if (this.groups.size >= this.maxGroups) {
      this.ungrouped++;
      return;
    }
    const example = text.length > MAX_EXAMPLE_CHARS ? `${text.slice(0, MAX_EXAMPLE_CHARS)}…` : text;
    this.groups.set(pattern, { pattern, example, count: 1, firstAtMs: atMs, lastAtMs: atMs });
  }

  encode(): EncodedErrorGroups {
    return { groups: [...this.groups.values()].map((group) => ({ ...group })), ungrouped: this.ungrouped };
  }
}
