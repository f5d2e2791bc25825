import { formatTable, percent } from './text-table.js';
import { ago } from './when.js';
/** `strangler endpoints`: the inventory, what serves each endpoint now, and how it behaves. */
export function renderEndpoints(rows, reader, window, sort) {
    if (rows.length === 0) {
        return `no endpoints known yet in ${reader.where}: send traffic through the proxy, or \`strangler endpoints import openapi.yaml\``;
    }
    const sorted = sort === 'requests' ? [...rows].sort((a, b) => b.requests - a.requests || a.path.localeCompare(b.path)) : rows;
    const served = (r) => {
        if (!r.requests)
            return null;
        const byServices = Object.entries(r.byTarget).filter(([t]) => t !== 'legacy').reduce((n, [, v]) => n + v, 0);
        return percent((byServices / r.requests) * 100);
    };
    const table = formatTable(['METHOD', 'PATH', 'MODE', 'ROUTE', 'REQUESTS', 'BY SERVICES', '4XX', '5XX', 'ERRORS', 'P50 MS', 'P95 MS', 'LAST SEEN'], sorted.map((r) => [
        r.method,
        r.path,
        r.mode,
        r.route ?? '-',
        r.requests,
        served(r),
        r.statusClasses['4xx'],
        r.statusClasses['5xx'],
        r.statusClasses.error,
        r.p50Ms,
        r.p95Ms,
        r.lastSeen ? ago(r.lastSeen) : r.source === 'openapi' ? 'never (openapi)' : 'never',
    ]), { right: [4, 5, 6, 7, 8, 9, 10] });
    const total = rows.reduce((n, r) => n + r.requests, 0);
    return `${table}\n\n${rows.length} endpoints, ${total} requests (${window === 'all' ? 'all time' : `since ${window}`}), from ${reader.where}`;
}
//# sourceMappingURL=endpoints-command.js.map