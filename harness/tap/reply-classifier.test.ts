import { describe, expect, it } from 'vitest';
import { ReplyClassifier } from './reply-classifier.ts';

describe('ReplyClassifier', () => {
  it('calls the first reply in time an answer and every later one a duplicate', () => {
    const classifier = new ReplyClassifier({ timeoutMs: 1_000 });
    classifier.published('a', 0);
    expect(classifier.reply('a', 10)).toBe('answer');
    expect(classifier.reply('a', 20)).toBe('duplicate');
    expect(classifier.reply('a', 5_000)).toBe('duplicate');
    expect(classifier.counts).toMatchObject({ published: 1, answers: 1, duplicate: 2, late: 0, unknown: 0 });
  });

  it('calls a reply after the timeout late, and so are the ones after it', () => {
    const classifier = new ReplyClassifier({ timeoutMs: 100 });
    classifier.published('a', 0);
    expect(classifier.reply('a', 101)).toBe('late');
    expect(classifier.reply('a', 102)).toBe('late');
    expect(classifier.counts).toMatchObject({ answers: 0, late: 2 });
  });

  it('calls a reply late when the client reported the call timed out, whatever the clock says', () => {
    const classifier = new ReplyClassifier();
    classifier.published('a', 0);
    classifier.markTimedOut('a');
    expect(classifier.reply('a', 1)).toBe('late');
  });

  it('calls a reply unknown when the client never published its correlation id, or it has none', () => {
    const classifier = new ReplyClassifier();
    classifier.published('a', 0);
    expect(classifier.reply('b', 1)).toBe('unknown');
    expect(classifier.reply(undefined, 1)).toBe('unknown');
    expect(classifier.counts.unknown).toBe(2);
  });

  it('keeps memory bounded: the oldest calls are forgotten, and counted as forgotten', () => {
    const classifier = new ReplyClassifier({ maxTrackedCalls: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) classifier.published(id, 0);
    expect(classifier.counts.forgotten).toBe(2);
    expect(classifier.reply('a', 1)).toBe('unknown');
    expect(classifier.reply('e', 1)).toBe('answer');
  });

  it('rejects a timeout that is not positive', () => {
    expect(() => new ReplyClassifier({ timeoutMs: 0 })).toThrow(/timeoutMs must be > 0/);
  });
});
