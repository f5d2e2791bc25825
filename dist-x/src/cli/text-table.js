const text = (c) => (c === null || c === undefined ? '-' : String(c));
export function formatTable(header, rows, opts = {}) {
    const indent = opts.indent ?? '';
    const cells = rows.map((r) => header.map((_, i) => text(r[i])));
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
    const right = new Set(opts.right ?? header.map((_, i) => i).filter((i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined)));
    const line = (r) => indent +
        r
            .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : i === r.length - 1 ? c : c.padEnd(widths[i])))
            .join('  ')
            .trimEnd();
    return [line(header), ...cells.map(line)].join('\n');
}
/** `label   value` lines with the labels aligned. */
export function formatPairs(pairs, indent = '') {
    const width = Math.max(0, ...pairs.map(([k]) => k.length));
    return pairs.map(([k, v]) => `${indent}${k.padEnd(width)}  ${text(v)}`).join('\n');
}
export function percent(n) {
    return n === null || n === undefined ? '-' : `${Math.round(n * 100) / 100}%`;
}
/** `legacy 12, orders 3`: requests by target, largest first. */
export function byTarget(counts) {
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
    return entries.length ? entries.map(([t, n]) => `${t} ${n}`).join(', ') : '-';
}
//# sourceMappingURL=text-table.js.map