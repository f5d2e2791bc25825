import { groupPath } from './json-path.js';
/** At most this many differences are kept per comparison, the marker included. */
export const MAX_DIFFERENCES = 200;
/** The last entry of a capped list: more differences were found than are listed. */
export const MORE_DIFFERENCES = Object.freeze({ path: '…', kind: 'length' });
export const isMoreMarker = (d) => d.path === MORE_DIFFERENCES.path && d.kind === MORE_DIFFERENCES.kind;
const rank = (path) => (path === 'status' ? 0 : path.startsWith('header:') ? 1 : path === 'body' ? 2 : 3);
/** `$.items[2]` before `$.items[10]`: runs of digits compare as numbers. */
function naturalCompare(a, b) {
    const x = a.split(/(\d+)/);
    const y = b.split(/(\d+)/);
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const p = x[i];
        const q = y[i];
        if (p === q)
            continue;
        // Odd positions of a split on a capturing group are the digit runs.
        if (i % 2 === 1) {
            const d = p.length - q.length || (p < q ? -1 : 1);
            return d;
        }
        return p < q ? -1 : 1;
    }
    return x.length - y.length;
}
export function compareDifferences(a, b) {
    return rank(a.path) - rank(b.path) || naturalCompare(a.path, b.path) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0);
}
/**
 * Sorted (status, headers, body, then JSON paths in document-like order),
 * without repeats, and capped. A capped list keeps one difference of every
 * group before any second one, so the comparison's signature (its set of
 * groups) survives the cap; the rest fill up in order, and the marker ends it.
 */
export function tidyDifferences(list, max = MAX_DIFFERENCES) {
    const seen = new Set();
    const unique = [];
    for (const d of list) {
        const id = `${d.kind} ${d.path}`;
        if (seen.has(id))
            continue;
        seen.add(id);
        unique.push(d);
    }
    unique.sort(compareDifferences);
    if (unique.length <= max)
        return unique;
    const room = Math.max(0, max - 1);
    const keep = new Set();
    const groups = new Set();
    for (const d of unique) {
        if (keep.size >= room)
            break;
        const g = `${d.kind} ${groupPath(d.path)}`;
        if (groups.has(g))
            continue;
        groups.add(g);
        keep.add(d);
    }
    for (const d of unique) {
        if (keep.size >= room)
            break;
        keep.add(d);
    }
    return [...unique.filter((d) => keep.has(d)), { ...MORE_DIFFERENCES }];
}
//# sourceMappingURL=difference-list.js.map