import { RequestView } from '../rules/request-view.js';
/** Read models for the admin API and the CLI: plain data from the ledger and the rules in force. */
const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000 };
/** `24h`, `30m`, `7d`, `all` or an ISO time. */
export function parseWindow(value, now = Date.now()) {
    if (value === undefined || value === 'all')
        return { ok: true, sinceMs: 0, label: 'all' };
    if (typeof value !== 'string')
        return { ok: false, message: 'since is a duration like 24h, 30m, 7d, or an ISO time' };
    const m = /^(\d+)([mhd])$/.exec(value);
    if (m)
        return { ok: true, sinceMs: now - Number(m[1]) * UNITS[m[2]], label: value };
    const t = Date.parse(value);
    if (!Number.isNaN(t))
        return { ok: true, sinceMs: t, label: value };
    return { ok: false, message: `since "${value}" is not a duration like 24h, 30m, 7d, or an ISO time` };
}
/** The mode an endpoint is in now: that of the route that claims it in the rules in force, legacy when none does. */
function modeOf(e, state) {
    // Endpoint paths are templates; `{x}` segments match any route param or ** the same way.
    const view = new RequestView(e.method, e.path.replace(/\{[^}/]+\}/g, '_'), {}, '');
    const m = state.table.match(view);
    if (m)
        return { route: m.route.name, mode: m.route.mode };
    if (e.route) {
        const r = state.table.byName(e.route);
        if (r)
            return { route: r.name, mode: r.mode };
    }
    return { route: null, mode: 'legacy' };
}
export function endpointRows(traffic, _rules, state, sinceMs) {
    return traffic.endpoints(sinceMs).map((e) => {
        const { route, mode } = modeOf(e, state);
        return { ...e, route: route ?? e.route, mode };
    });
}
export function progressReport(traffic, rules, state, window) {
    return progressOf(endpointRows(traffic, rules, state, window.sinceMs), traffic, window);
}
/** Progress from endpoint rows already read (the report reads them once for both). */
export function progressOf(rows, traffic, window) {
    const byMode = { legacy: 0, shadow: 0, canary: 0, service: 0, retired: 0 };
    for (const r of rows)
        byMode[r.mode]++;
    const totals = traffic.totals(window.sinceMs);
    const served = Object.entries(totals.byTarget)
        .filter(([t]) => t !== 'legacy')
        .reduce((n, [, v]) => n + v, 0);
    return {
        endpoints: { total: rows.length, byMode },
        traffic: {
            window: window.label,
            total: totals.total,
            byTarget: totals.byTarget,
            servedByServicesShare: totals.total ? Math.round((served / totals.total) * 10_000) / 100 : 0,
        },
        workQueue: rows
            .filter((r) => r.mode === 'legacy')
            .sort((a, b) => b.requests - a.requests)
            .slice(0, 10)
            .map((r) => ({ method: r.method, path: r.path, requests: r.requests })),
    };
}
//# sourceMappingURL=views.js.map