import { createHash } from 'node:crypto';
import { isMoreMarker } from './difference-list.js';
import { groupPath } from './json-path.js';
/**
 * The distinct groups among a comparison's differences, sorted. The "more
 * differences" marker of a capped list is not a finding and is left out.
 */
export function groupsOf(differences) {
    const seen = new Map();
    for (const d of differences) {
        if (isMoreMarker(d))
            continue;
        const group = groupPath(d.path);
        seen.set(`${group}\u0000${d.kind}`, { group, kind: d.kind });
    }
    return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}
/**
 * A short, stable name for a comparison's set of groups: equal sets, equal
 * signatures, whatever the order or count of the differences behind them.
 * '' when nothing differs.
 */
export function signatureOf(differences) {
    const groups = groupsOf(differences);
    if (groups.length === 0)
        return '';
    const text = groups.map((g) => `${g.kind}\t${g.group}`).join('\n');
    return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
//# sourceMappingURL=signature.js.map