/**
 * A set of call correlation ids, kept small: the clients' ids are `<client id>.<sequence>`
 * with sequences counting up, so each client's ids are stored as sorted, disjoint ranges of
 * sequences. A run of a million calls answered in order is one range per client. Ids of
 * another shape (a stranger's requests) are kept as they are, up to a bound, and counted.
 */
export interface EncodedCallIds {
  /** Client id -> flat [first, last, first, last, ...] inclusive sequence ranges, ascending. */
  readonly ranges: Record<string, number[]>;
  /** Ids not of the form `<client id>.<sequence>`. */
  readonly other: string[];
}

const CALL_ID = /^(.+)\.(\d{1,15})$/;
/** Ids of another shape kept verbatim; more are counted only. */
export const MAX_OTHER_IDS = 1_000;

export class CallIdSet {
  private readonly ranges = new Map<string, number[]>();
  private readonly other = new Set<string>();
  private otherOverflow = 0;

  static decode(encoded: EncodedCallIds): CallIdSet {
    const set = new CallIdSet();
    set.addAll(encoded);
    return set;
  }

  get size(): number {
    let total = this.other.size + this.otherOverflow;
    for (const flat of this.ranges.values()) {
      for (let i = 0; i < flat.length; i += 2) total += flat[i + 1]! - flat[i]! + 1;
    }
    return total;
  }

  get isEmpty(): boolean {
    return this.ranges.size === 0 && this.other.size === 0 && this.otherOverflow === 0;
  }

  add(callId: string): void {
    // Once per call in every client and server: parsed by hand, the CALL_ID pattern's backtracking
    // costs more than the rest.
    const dot = callId.lastIndexOf('.');
    const digits = callId.length - dot - 1;
    if (dot > 0 && digits >= 1 && digits <= 15 && isDigits(callId, dot + 1)) {
      const sequence = Number(callId.slice(dot + 1));
      this.addSequence(callId.slice(0, dot), sequence, sequence);
      return;
    }
    if (this.other.has(callId)) return;
    if (this.other.size < MAX_OTHER_IDS) this.other.add(callId);
    else this.otherOverflow++;
  }

  addAll(encoded: EncodedCallIds): void {
    for (const [client, flat] of Object.entries(encoded.ranges)) {
      for (let i = 0; i + 1 < flat.length; i += 2) this.addSequence(client, flat[i]!, flat[i + 1]!);
    }
    for (const id of encoded.other) this.add(id);
  }

  has(callId: string): boolean {
    const match = CALL_ID.exec(callId);
    if (!match) return this.other.has(callId);
    const flat = this.ranges.get(match[1]!);
    if (!flat) return false;
    const sequence = Number(match[2]);
    const i = firstRangeStartingAfter(flat, sequence) - 2;
    return i >= 0 && flat[i + 1]! >= sequence;
  }

  /** The ids in this set that `other` lacks: how many, and the first few. */
  minus(other: CallIdSet, maxExamples = 5): { count: number; examples: string[] } {
    return this.countWhere((id) => !other.has(id), maxExamples);
  }

  /** The ids for which `matches` holds: how many, and the first few. */
  countWhere(matches: (callId: string) => boolean, maxExamples = 5): { count: number; examples: string[] } {
    let count = 0;
    const examples: string[] = [];
    const note = (id: string) => {
      count++;
      if (examples.length < maxExamples) examples.push(id);
    };
    for (const [client, flat] of this.ranges) {
      for (let i = 0; i < flat.length; i += 2) {
        for (let sequence = flat[i]!; sequence <= flat[i + 1]!; sequence++) {
          const id = `${client}.${sequence}`;
          if (matches(id)) note(id);
        }
      }
    }
    for (const id of this.other) if (matches(id)) note(id);
    // Ids beyond the bound cannot be looked at: count them as matching, so they are never overlooked.
    count += this.otherOverflow;
    return { count, examples };
  }

  encode(): EncodedCallIds {
    return {
      ranges: Object.fromEntries([...this.ranges].map(([client, flat]) => [client, [...flat]])),
      other: [...this.other],
    };
  }

  clear(): void {
    this.ranges.clear();
    this.other.clear();
    this.otherOverflow = 0;
  }

  private addSequence(client: string, first: number, last: number): void {
    let flat = this.ranges.get(client);
    if (!flat) this.ranges.set(client, (flat = []));
    // The common case: calls end roughly in the order they were sent, so the id extends the last range.
    const lastEnd = flat.length - 1;
    if (lastEnd > 0 && flat[lastEnd - 1]! <= first && first <= flat[lastEnd]! + 1 && last >= flat[lastEnd]!) {
      flat[lastEnd] = last;
      return;
    }
    // Ranges that touch or overlap [first, last] merge with it into one.
    let start = firstRangeStartingAfter(flat, first) - 2;
    if (start < 0 || flat[start + 1]! < first - 1) start += 2;
    let end = start;
    let mergedFirst = first;
    let mergedLast = last;
    while (end < flat.length && flat[end]! <= last + 1) {
      mergedFirst = Math.min(mergedFirst, flat[end]!);
      mergedLast = Math.max(mergedLast, flat[end + 1]!);
      end += 2;
    }
    flat.splice(start, end - start, mergedFirst, mergedLast);
  }
}

function isDigits(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** Index (even) of the first range whose start is greater than `sequence`; flat.length if none. */
function firstRangeStartingAfter(flat: readonly number[], sequence: number): number {
  let low = 0;
  let high = flat.length / 2;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (flat[mid * 2]! > sequence) high = mid;
    else low = mid + 1;
  }
  return low * 2;
}
