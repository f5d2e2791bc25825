import type { CompareRules } from '../rules/schema.js';
import { bodyDifferences } from './body-diff.js';
import { compileCompareRules } from './compare-rules.js';
import { MAX_DIFFERENCES, tidyDifferences } from './difference-list.js';
import { headerDifferences } from './header-diff.js';
import type { CapturedResponse, Difference } from './types.js';

export interface CompareOptions {
  /** Cap on the listed differences, the "more" marker included (see difference-list.ts). */
  maxDifferences?: number;
  /** A body that decompresses past this is not compared (too-large). */
  maxDecodedBytes?: number;
  /** Text bodies further apart than this many edited lines are simply `changed`. */
  maxEditLines?: number;
}

export interface Comparison {
  outcome: 'match' | 'differ' | 'unparseable' | 'too-large';
  /**
   * Sorted, without repeats, capped. With `unparseable` or `too-large` from
   * the body, the status and header differences found are still listed: a
   * 500 with a broken body is worth seeing as a status change too.
   */
  differences: Difference[];
  /** Why the body could not be compared, when it could not. */
  detail?: string;
}

const NO_RULES: CompareRules = { ignore: [], unordered: [], keyedArrays: {}, tolerance: {} };

/**
 * Legacy's answer against the other side's, seen from legacy: status, then
 * headers, then the body. Pure: no I/O, nothing kept between calls but the
 * parsed form of `rules`.
 */
export function compareResponses(legacy: CapturedResponse, other: CapturedResponse, rules: CompareRules = NO_RULES, options: CompareOptions = {}): Comparison {
  // Half a body compared as if whole would report differences that are not there.
  if (legacy.truncated || other.truncated) return { outcome: 'too-large', differences: [] };
  const compiled = compileCompareRules(rules);
  const found: Difference[] = [];
  // A different status in the same class (200 vs 203) is still a difference: clients branch on exact codes.
  if (!compiled.ignoreStatus && legacy.status !== other.status) found.push({ path: 'status', kind: 'changed' });
  for (const d of headerDifferences(legacy.headers, other.headers, { ignore: compiled.ignoreHeader })) found.push(d);

  if (!compiled.ignoreBody) {
    const body = bodyDifferences(legacy, other, compiled.json, options);
    if ('failure' in body) {
      return { outcome: body.failure, differences: tidyDifferences(found, options.maxDifferences ?? MAX_DIFFERENCES), detail: body.detail };
    }
    for (const d of body.differences) found.push(d);
  }
  const differences = tidyDifferences(found, options.maxDifferences ?? MAX_DIFFERENCES);
  return { outcome: differences.length === 0 ? 'match' : 'differ', differences };
}
