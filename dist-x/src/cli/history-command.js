import { formatTable } from './text-table.js';
import { when } from './when.js';
/** `strangler history`: every revision of the rule table, newest first, the one in force marked. */
export function renderRevisions(view) {
    if (view.revisions.length === 0)
        return 'no revisions yet';
    return formatTable(['', 'REV', 'CREATED', 'SOURCE', 'AUTHOR', 'ROUTES', 'MESSAGE'], view.revisions.map((r) => [r.n === view.inForce ? '*' : '', r.n, when(r.createdAt), r.source, r.author, r.routes, r.message]), { right: [1, 5] }) + `\n\n* in force: revision ${view.inForce}`;
}
const modeText = (mode, pct) => (pct !== null ? `${mode} ${pct}%` : mode);
/** `strangler history --modes` / `--route NAME`: each change of mode with who, why and whether the guard was overridden. */
export function renderModeChanges(changes, route) {
    if (changes.length === 0)
        return route ? `no mode changes for route ${route}` : 'no mode changes yet';
    return formatTable(['AT', 'ROUTE', 'CHANGE', 'AUTHOR', 'FORCED', 'REV', 'REASON'], changes.map((c) => [
        when(c.at),
        c.route,
        `${modeText(c.fromMode, c.fromPercent)} → ${modeText(c.toMode, c.toPercent)}`,
        c.author,
        c.forced ? 'forced' : '',
        c.revision,
        c.reason,
    ]), { right: [5] });
}
//# sourceMappingURL=history-command.js.map