/** `2025-11-24 17:30:05Z`: sortable, unambiguous, short enough for a table column. */
export function when(iso) {
    if (!iso)
        return 'never';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}
/** `12s ago`, `3h ago`: how stale a last-seen time is, at a glance. */
export function ago(iso, now = Date.now()) {
    if (!iso)
        return 'never';
    const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
    if (Number.isNaN(s))
        return iso;
    if (s < 90)
        return `${s}s ago`;
    if (s < 90 * 60)
        return `${Math.round(s / 60)}m ago`;
    if (s < 36 * 3600)
        return `${Math.round(s / 3600)}h ago`;
    return `${Math.round(s / 86400)}d ago`;
}
//# sourceMappingURL=when.js.map