/** Short, one-line spellings of rule-table parts, shared by `routes` and the `apply` plan. */
export function describeMatch(m) {
    const parts = [`${m.methods?.length ? m.methods.join(',') + ' ' : ''}${m.path}`];
    if (m.host)
        parts.push(`host=${m.host}`);
    for (const [k, v] of Object.entries(m.headers ?? {}))
        parts.push(`header:${k}=${v}`);
    for (const [k, v] of Object.entries(m.query ?? {}))
        parts.push(`query:${k}=${v}`);
    for (const [k, v] of Object.entries(m.cookies ?? {}))
        parts.push(`cookie:${k}=${v}`);
    return parts.join(' ');
}
export function describeMode(r) {
    return r.mode === 'canary' ? `canary ${r.canary?.percent ?? 0}%` : r.mode;
}
export function describeTarget(t) {
    if (t === undefined)
        return '-';
    if (typeof t === 'string')
        return t;
    const extra = [t.timeoutMs !== undefined ? `timeout ${t.timeoutMs}ms` : '', t.hostHeader ? `host ${t.hostHeader}` : '', t.connections ? `${t.connections} connections` : '']
        .filter(Boolean)
        .join(', ');
    return extra ? `${t.url} (${extra})` : t.url;
}
/** What a route does besides its mode: fallback, stickiness, its own guard. */
export function routeNotes(r) {
    const notes = [];
    if (r.fallback)
        notes.push(`fallback ${r.fallback}${r.fallbackUnsafe ? ' (also PUT/DELETE)' : ''}`);
    if (r.canary?.stickyBy)
        notes.push(`sticky by ${r.canary.stickyBy}`);
    if (r.guard?.minSamples !== undefined)
        notes.push(`guard ${r.guard.minSamples} samples`);
    if (r.guard?.minMatchRate !== undefined)
        notes.push(`guard ${r.guard.minMatchRate}%`);
    return notes.join('; ');
}
//# sourceMappingURL=describe-route.js.map