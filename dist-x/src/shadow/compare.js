import { bodyDifferences } from './body-diff.js';
import { compileCompareRules } from './compare-rules.js';
import { MAX_DIFFERENCES, tidyDifferences } from './difference-list.js';
import { headerDifferences } from './header-diff.js';
const NO_RULES = { ignore: [], unordered: [], keyedArrays: {}, tolerance: {} };
/**
 * Legacy's answer against the other side's, seen from legacy: status, then
 * headers, then the body. Pure: no I/O, nothing kept between calls but the
 * parsed form of `rules`.
 */
export function compareResponses(legacy, other, rules = NO_RULES, options = {}) {
    // Half a body compared as if whole would report differences that are not there.
    if (legacy.truncated || other.truncated)
        return { outcome: 'too-large', differences: [] };
    const compiled = compileCompareRules(rules);
    const found = [];
    // A different status in the same class (200 vs 203) is still a difference: clients branch on exact codes.
    if (!compiled.ignoreStatus && legacy.status !== other.status)
        found.push({ path: 'status', kind: 'changed' });
    for (const d of headerDifferences(legacy.headers, other.headers, { ignore: compiled.ignoreHeader }))
        found.push(d);
    if (!compiled.ignoreBody) {
        const body = bodyDifferences(legacy, other, compiled.json, options);
        if ('failure' in body) {
            return { outcome: body.failure, differences: tidyDifferences(found, options.maxDifferences ?? MAX_DIFFERENCES), detail: body.detail };
        }
        for (const d of body.differences)
            found.push(d);
    }
    const differences = tidyDifferences(found, options.maxDifferences ?? MAX_DIFFERENCES);
    return { outcome: differences.length === 0 ? 'match' : 'differ', differences };
}
//# sourceMappingURL=compare.js.map