/** A GitHub-flavoured Markdown table; numbers right-aligned, the first column left. */
export function markdownTable(header, rows) {
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
    const line = (cells) => '| ' + cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ') + ' |';
    const rule = '|' + widths.map((w, c) => (c === 0 ? ':' + '-'.repeat(w + 1) : '-'.repeat(w + 1) + ':')).join('|') + '|';
    return [line(header), rule, ...rows.map(line)].join('\n');
}
//# sourceMappingURL=markdown.js.map