/**
 * Fitting text to a terminal: column widths that add up to the width
 * given, long values cut in the middle with `…` (both ends of a path say
 * the most), prose wrapped at word boundaries, and colour that never
 * counts towards a width.
 */
/** Characters as a terminal counts them (near enough: code points). */
export const visibleLength = (s) => [...s].length;
/** `/api/v1/orgs/{org}/projects/{id}` at 20 → `/api/v1/or…ects/{id}`: at most `max` characters. */
export function ellipsize(s, max) {
    const chars = [...s];
    if (chars.length <= max)
        return s;
    if (max <= 1)
        return '…'.slice(0, Math.max(0, max));
    const head = Math.ceil((max - 1) / 2);
    const tail = max - 1 - head;
    return chars.slice(0, head).join('') + '…' + (tail > 0 ? chars.slice(-tail).join('') : '');
}
const GAP = 2;
/**
 * Widths for the columns, 0 for a column left out: natural widths when
 * they fit; else the droppable columns go until the narrowest layout
 * fits, and the shrinkable ones give up only what is still too much.
 */
export function columnWidths(columns, rows, width, indent = 0) {
    const natural = columns.map((c, i) => Math.max(visibleLength(c.header), ...rows.map((r) => visibleLength(r[i] ?? ''))));
    const least = columns.map((c, i) => (c.shrink ? Math.min(natural[i], Math.max(c.shrink.min, visibleLength(c.header))) : natural[i]));
    const shown = columns.map(() => true);
    const total = (ws) => {
        const kept = ws.filter((_, i) => shown[i]);
        return indent + kept.reduce((a, b) => a + b, 0) + GAP * Math.max(0, kept.length - 1);
    };
    const droppable = columns.flatMap((c, i) => (c.drop === undefined ? [] : [{ i, order: c.drop }])).sort((a, b) => a.order - b.order);
    const preferred = columns.map((c, i) => (c.shrink?.prefer ? Math.min(natural[i], Math.max(c.shrink.prefer, least[i])) : least[i]));
    for (const { i } of droppable) {
        if (total(preferred) <= width)
            break;
        shown[i] = false;
    }
    const widths = natural.map((w, i) => (shown[i] ? w : 0));
    let over = total(widths) - width;
    const shrinkable = columns.flatMap((c, i) => (c.shrink && shown[i] ? [{ i, order: c.shrink.order ?? i }] : [])).sort((a, b) => a.order - b.order);
    for (const { i } of shrinkable) {
        if (over <= 0)
            break;
        const give = Math.min(over, widths[i] - least[i]);
        widths[i] -= give;
        over -= give;
    }
    return widths;
}
/** The header and rows as aligned lines; `paint` colours a cell after it was padded, so colour never moves a column. */
export function tableLines(columns, rows, widths, indent = '', paint) {
    const line = (cells, row) => indent +
        cells
            .map((raw, i) => {
            if (widths[i] === 0)
                return null;
            const w = widths[i];
            const cut = ellipsize(raw, w);
            const pad = ' '.repeat(Math.max(0, w - visibleLength(cut)));
            const last = widths.slice(i + 1).every((x) => x === 0);
            const padded = columns[i].right ? pad + cut : last ? cut : cut + pad;
            return row >= 0 && paint ? paint(padded, row, i) : padded;
        })
            .filter((c) => c !== null)
            .join(' '.repeat(GAP))
            .trimEnd();
    return [line(columns.map((c) => c.header), -1), ...rows.map((r, i) => line(r, i))];
}
/** Words wrapped to `width`, every line starting with `indent`; a word longer than a line is cut. */
export function wrap(text, width, indent = '', firstIndent = indent) {
    const lines = [];
    let current = firstIndent;
    let empty = true;
    for (const word of text.split(/\s+/).filter(Boolean)) {
        const room = width - visibleLength(current) - (empty ? 0 : 1);
        if (!empty && visibleLength(word) > room) {
            lines.push(current);
            current = indent;
            empty = true;
        }
        const fit = width - visibleLength(current);
        current += (empty ? '' : ' ') + (visibleLength(word) > fit ? ellipsize(word, Math.max(1, fit)) : word);
        empty = false;
    }
    if (!empty || lines.length === 0)
        lines.push(current);
    return lines;
}
const ANSI = /\x1b\[[0-9;]*m/y;
/** A line cut to `width` visible characters, escape sequences kept whole and colour reset after a cut. */
export function cutLine(line, width) {
    if (visibleLength(line.replace(/\x1b\[[0-9;]*m/g, '')) <= width)
        return line;
    let out = '';
    let seen = 0;
    let coloured = false;
    for (let i = 0; i < line.length;) {
        ANSI.lastIndex = i;
        const m = ANSI.exec(line);
        if (m) {
            out += m[0];
            coloured = m[0] !== '\x1b[0m';
            i += m[0].length;
            continue;
        }
        const ch = String.fromCodePoint(line.codePointAt(i));
        if (seen === width - 1)
            return out + '…' + (coloured ? '\x1b[0m' : '');
        out += ch;
        seen++;
        i += ch.length;
    }
    return out;
}
const CODES = { red: '31', green: '32', yellow: '33', dim: '2', bold: '1' };
export const paintWith = (color) => (s, style) => color && style ? `\x1b[${CODES[style]}m${s}\x1b[0m` : s;
//# sourceMappingURL=text-fit.js.map