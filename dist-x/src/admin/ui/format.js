/** Numbers, shares and times as the pages print them. */
export const int = (n) => n.toLocaleString('en-US');
export const pct = (n) => (n === null || n === undefined ? '–' : `${n}%`);
/** `3 min ago`, with the exact time for a title. */
export function ago(iso, now = Date.now()) {
    const s = Math.round((now - Date.parse(iso)) / 1000);
    if (s < 45)
        return 'just now';
    if (s < 3600)
        return `${Math.round(s / 60)} min ago`;
    if (s < 86_400)
        return `${Math.round(s / 3600)} h ago`;
    return `${Math.round(s / 86_400)} d ago`;
}
/** `14:05` today, `Nov 24 14:05` otherwise, in the browser's time zone. */
export function clock(iso) {
    const d = new Date(iso);
    const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
    return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' })} ${time}`;
}
export const endpointKey = (e) => `${e.method} ${e.path}`;
//# sourceMappingURL=format.js.map