import { endpointKey, NOT_SHADOWED, readinessLabel, summaryLine, underComparison } from './endpoint-selection.js';
import { columnWidths, cutLine, paintWith, tableLines, wrap } from './text-fit.js';
const percent = (n) => (n === null ? '-' : `${n}%`);
const shortTime = (iso) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const READINESS_STYLE = { ready: 'green', 'not ready': 'red', unknown: 'yellow', [NOT_SHADOWED]: 'dim' };
const VERDICT_STYLE = { regression: 'red', noise: 'dim', unknown: 'yellow' };
const ENDPOINT_COLUMNS = [
    // The route gives up its room, or its column, before the endpoint, which names what the row is about.
    { header: 'ENDPOINT', shrink: { min: 16, order: 2, prefer: 26 } },
    { header: 'ROUTE', shrink: { min: 6, order: 1 }, drop: 1 },
    { header: 'MODE' },
    { header: 'REQUESTS', right: true, drop: 2 },
    { header: 'COMPARED', right: true },
    { header: 'NET MATCH', right: true },
    { header: 'READINESS' },
];
const GROUP_COLUMNS = [
    { header: 'DIFFERENCE', shrink: { min: 12 } },
    { header: 'KIND' },
    { header: 'COUNT', right: true },
    { header: 'NOISE', right: true, drop: 1 },
    { header: 'VERDICT' },
];
const SUB = '    ';
export function renderText(doc, o = {}) {
    const width = o.width ?? Infinity;
    const paint = paintWith(o.color === true);
    const lines = [
        ...wrap(`shadow report, window ${doc.window}, generated ${shortTime(doc.generatedAt)}${o.source ? `, from ${o.source}` : ''}`, width, '  ', '').map((l) => paint(l, 'bold')),
        ...wrap(summaryLine(doc.endpoints), width, '  ', ''),
    ];
    if (doc.endpoints.length === 0) {
        lines.push('', 'no endpoints in this window' + (doc.window === 'all' ? '' : '; try --since all'));
        return lines.map((l) => cutLine(l, width)).join('\n');
    }
    lines.push('');
    const rows = doc.endpoints.map((e) => [endpointKey(e), e.route ?? '-', e.mode, String(e.requests), underComparison(e) ? String(e.compared) : '-', percent(e.netMatchRate), readinessLabel(e)]);
    const widths = columnWidths(ENDPOINT_COLUMNS, rows, width);
    const table = tableLines(ENDPOINT_COLUMNS, rows, widths, '', (cell, _row, col) => (col === 6 ? paint(cell, READINESS_STYLE[cell.trim()]) : cell));
    lines.push(paint(table[0], 'bold'));
    doc.endpoints.forEach((e, i) => {
        lines.push(table[i + 1]);
        if (e.differences.length > 0) {
            const groupRows = e.differences.map((d) => [d.path, d.kind, String(d.count), String(d.noise), d.verdict]);
            const groupWidths = columnWidths(GROUP_COLUMNS, groupRows, width, SUB.length);
            const groups = tableLines(GROUP_COLUMNS, groupRows, groupWidths, SUB, (cell, _row, col) => (col === 4 ? paint(cell, VERDICT_STYLE[cell.trim()]) : cell));
            lines.push(paint(groups[0], 'dim'), ...groups.slice(1));
        }
        if (underComparison(e) && e.readiness.state !== 'ready') {
            for (const reason of e.readiness.reasons)
                lines.push(...wrap(`${readinessLabel(e)}: ${reason}`, width, SUB + '  ', SUB));
        }
    });
    return lines.map((l) => cutLine(l, width)).join('\n');
}
//# sourceMappingURL=render-text.js.map