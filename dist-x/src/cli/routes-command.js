import { describeMatch, describeMode, describeTarget, routeNotes } from './describe-route.js';
import { formatTable } from './text-table.js';
/** `strangler routes`: the rule table in force, one route a line, in precedence's file order. */
export function renderRoutes(view, reader) {
    const lines = [];
    lines.push(`revision ${view.revision}${reader.offline ? ' (latest in the database; the proxy is not asked)' : ' in force'}, from ${reader.where}`);
    lines.push(`legacy    ${describeTarget(view.legacy)}`);
    const services = Object.entries(view.services);
    for (const [name, t] of services)
        lines.push(`service   ${name}: ${describeTarget(t)}`);
    lines.push(`guard     ${view.guard.minSamples} samples, ${view.guard.minMatchRate}% net match`);
    lines.push('');
    if (view.routes.length === 0) {
        lines.push('no routes: legacy answers every request');
        return lines.join('\n');
    }
    lines.push(formatTable(['ROUTE', 'MODE', 'SERVICE', 'MATCH', 'NOTES'], view.routes.map((r) => [r.name, describeMode(r), r.service ?? '-', describeMatch(r.match), routeNotes(r) || ''])));
    return lines.join('\n');
}
//# sourceMappingURL=routes-command.js.map