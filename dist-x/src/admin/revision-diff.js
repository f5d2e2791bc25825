import { structuredPatch } from 'diff';
import { stringify } from 'yaml';
export const revisionYamlText = (r) => stringify(r.table, { lineWidth: 0 });
const summary = ({ table: _table, ...rest }) => rest;
export function revisionDiff(a, b, context = 3) {
    const p = structuredPatch(`revision ${a.n}`, `revision ${b.n}`, revisionYamlText(a), revisionYamlText(b), '', '', { context });
    const lines = [];
    const patch = [`--- revision ${a.n}`, `+++ revision ${b.n}`];
    let added = 0;
    let removed = 0;
    for (const h of p.hunks) {
        const header = `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`;
        lines.push({ op: '@', text: header });
        patch.push(header);
        for (const l of h.lines) {
            // "\ No newline at end of file" markers say nothing about a rule table.
            if (l.startsWith('\\'))
                continue;
            const op = l[0];
            if (op === '+')
                added++;
            if (op === '-')
                removed++;
            lines.push({ op, text: l.slice(1) });
            patch.push(l);
        }
    }
    return { from: summary(a), to: summary(b), changed: p.hunks.length > 0, added, removed, lines, patch: `${patch.join('\n')}\n` };
}
//# sourceMappingURL=revision-diff.js.map