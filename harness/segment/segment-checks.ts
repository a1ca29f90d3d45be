import type { CheckResult } from '../model/result-schema.ts';
import { CallIdSet, type EncodedCallIds } from '../observe/call-id-set.ts';

/**
 * A check only a merged run has: no two segments published a request with the same
 * correlation id. Each client names its calls `<its own id>.<sequence>`, so ids can only
 * repeat if two processes took the same id, which would make a reply meant for one
 * segment's call resolve another's, and the merged counts meaningless.
 */
export function callIdsUniqueAcrossSegments(publishedBySegment: ReadonlyArray<readonly EncodedCallIds[]>): CheckResult {
  const union = new CallIdSet();
  let total = 0;
  for (const published of publishedBySegment) {
    const segment = new CallIdSet();
    for (const encoded of published) segment.addAll(encoded);
    total += segment.size;
    union.addAll(segment.encode());
  }
  const repeated = total - union.size;
  return {
    id: 'call-ids-unique-across-segments',
    title: 'No correlation id was used by two segments',
    expectation: 'requests published by all segments = distinct correlation ids among them',
    passed: repeated === 0,
    actual:
      `published ${total} requests in ${publishedBySegment.length} segments, ` +
      `${union.size} distinct correlation ids (${repeated} repeated)`,
  };
}
