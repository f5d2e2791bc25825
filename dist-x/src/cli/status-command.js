import { MODES } from '../rules/schema.js';
import { formatTable, percent } from './text-table.js';
/**
 * `strangler status`: how far along the migration is. Endpoints by mode,
 * the share of traffic the new services answer, and the work queue: the
 * legacy endpoints that carry the most traffic, the next ones to move.
 */
export function renderStatus(p, reader) {
    const lines = [];
    const span = p.traffic.window === 'all' ? 'all time' : `last ${p.traffic.window}`;
    lines.push(`migration progress (${span}), from ${reader.where}${reader.offline ? ' (the proxy is not asked)' : ''}`);
    lines.push('');
    const total = p.endpoints.total;
    lines.push(`endpoints: ${total} known`);
    lines.push(formatTable(['MODE', 'ENDPOINTS', 'SHARE'], MODES.map((m) => [m, p.endpoints.byMode[m], total ? percent((p.endpoints.byMode[m] / total) * 100) : null]), { indent: '  ', right: [1, 2] }));
    lines.push('');
    lines.push(`traffic: ${p.traffic.total} requests, ${percent(p.traffic.servedByServicesShare)} served by new services`);
    const targets = Object.entries(p.traffic.byTarget).sort((a, b) => b[1] - a[1]);
    if (targets.length) {
        lines.push(formatTable(['TARGET', 'REQUESTS'], targets.map(([t, n]) => [t, n]), { indent: '  ', right: [1] }));
    }
    lines.push('');
    if (p.workQueue.length === 0) {
        lines.push(total ? 'work queue: empty, no endpoint is left in legacy mode' : 'work queue: empty, no endpoints known yet');
    }
    else {
        lines.push('work queue: legacy endpoints by traffic, busiest first');
        lines.push(formatTable(['REQUESTS', 'METHOD', 'PATH'], p.workQueue.map((w) => [w.requests, w.method, w.path]), { indent: '  ', right: [0] }));
    }
    return lines.join('\n');
}
//# sourceMappingURL=status-command.js.map