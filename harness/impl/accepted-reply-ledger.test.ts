import { describe, expect, it } from 'vitest';
import { AcceptedReplyLedger, MAX_ANSWERED_TWICE_EXAMPLES } from './accepted-reply-ledger.ts';

describe('AcceptedReplyLedger', () => {
  it('counts nothing twice when every call accepts one reply', () => {
    const ledger = new AcceptedReplyLedger(1_000);
    for (let i = 0; i < 50; i++) ledger.accept(`c.${i}`);
    expect(ledger.accepted).toBe(50);
    expect(ledger.answeredTwice).toBe(0);
    expect(ledger.answeredTwiceExamples).toEqual([]);
  });

  it('counts a call that accepts a second reply once, however many more it accepts, and names it', () => {
    const ledger = new AcceptedReplyLedger(1_000);
    ledger.accept('c.1');
    ledger.accept('c.2');
    ledger.accept('c.1');
    ledger.accept('c.1');
    expect(ledger.accepted).toBe(4);
    expect(ledger.answeredTwice).toBe(1);
    expect(ledger.answeredTwiceExamples).toEqual(['c.1']);
  });

  it('keeps only a few example ids', () => {
    const ledger = new AcceptedReplyLedger(1_000);
    for (let i = 0; i < 20; i++) {
      ledger.accept(`c.${i}`);
      ledger.accept(`c.${i}`);
    }
    expect(ledger.answeredTwice).toBe(20);
    expect(ledger.answeredTwiceExamples).toHaveLength(MAX_ANSWERED_TWICE_EXAMPLES);
  });

  it('forgets a call once its retention window has passed, so memory stays bounded', () => {
    let nowMs = 0;
    const ledger = new AcceptedReplyLedger(100, 1_000, () => nowMs);
    ledger.accept('c.1');
    nowMs = 50;
    ledger.accept('c.1');
    expect(ledger.answeredTwice).toBe(1);
    nowMs = 500;
    ledger.accept('c.1');
    // Forgotten: this acceptance is only visible as one reply too many.
    expect(ledger.answeredTwice).toBe(1);
    expect(ledger.accepted).toBe(3);
  });

  it('remembers at most maxRemembered calls', () => {
    const ledger = new AcceptedReplyLedger(60_000, 3, () => 0);
    for (const id of ['a', 'b', 'c', 'd']) ledger.accept(id);
    ledger.accept('a');
    expect(ledger.answeredTwice).toBe(0);
    ledger.accept('d');
    expect(ledger.answeredTwice).toBe(1);
  });
});
