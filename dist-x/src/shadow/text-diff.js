import { diffLines } from 'diff';
/**
 * Beyond this many edited lines the diff stops counting: its cost grows
 * with the square of the edits, and a comparison must stay cheap.
 */
export const MAX_EDIT_LINES = 400;
/** Lines with their line break, as diffLines cuts them: a last line without one differs from the same line with one. */
const linesOf = (text) => text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
/** Is every line of `short`, in order, in `long`? Then `long` only adds lines. */
function isSubsequence(short, long) {
    let j = 0;
    for (const line of short) {
        while (j < long.length && long[j] !== line)
            j++;
        if (j === long.length)
            return false;
        j++;
    }
    return true;
}
/**
 * Two text bodies by lines. CRLF and LF endings are one: a Windows monolith
 * and a Linux service would otherwise differ on every line of every body,
 * and no rule could say so. Null when the texts are equal.
 */
export function textChange(legacy, other, maxEditLength = MAX_EDIT_LINES) {
    if (legacy === other)
        return null;
    const a = legacy.replace(/\r\n/g, '\n');
    const b = other.replace(/\r\n/g, '\n');
    if (a === b)
        return null;
    const changes = diffLines(a, b, { maxEditLength });
    if (!changes) {
        // Uncounted, but the kind is still exact: nothing removed means legacy's lines all survive, in order.
        const x = linesOf(a);
        const y = linesOf(b);
        return { kind: isSubsequence(x, y) ? 'extra' : isSubsequence(y, x) ? 'missing' : 'changed', removed: -1, added: -1 };
    }
    let removed = 0;
    let added = 0;
    for (const c of changes) {
        if (c.removed)
            removed += c.count;
        else if (c.added)
            added += c.count;
    }
    return { kind: removed && added ? 'changed' : removed ? 'missing' : 'extra', removed, added };
}
//# sourceMappingURL=text-diff.js.map