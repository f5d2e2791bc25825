/**
 * Sticky canary split. The bucket is a hash of the route name and the
 * sticky key, so one user stays on one side for as long as the percentage
 * holds, raising the percentage only moves users from legacy to the
 * service, and different routes split users independently.
 */
export const BUCKETS = 10_000;
/** FNV-1a over UTF-16 code units, finished with murmur3's avalanche so near keys spread evenly. */
export function hash32(text) {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
}
export function bucketOf(routeName, key) {
    return hash32(`${routeName}\u0000${key}`) % BUCKETS;
}
/** The sticky key named by `stickyBy`, or undefined when the request has none. */
export function stickyKey(stickyBy, req) {
    if (!stickyBy)
        return undefined;
    if (stickyBy === 'ip')
        return req.remoteAddress || undefined;
    if (stickyBy.startsWith('cookie:'))
        return req.cookie(stickyBy.slice(7)) || undefined;
    if (stickyBy.startsWith('header:'))
        return req.header(stickyBy.slice(7).toLowerCase()) || undefined;
    return undefined;
}
/** True when this request goes to the canary's service. Without a key, a per-request draw. */
export function inCanary(routeName, percent, stickyBy, req, draw = Math.random) {
    if (percent <= 0)
        return false;
    if (percent >= 100)
        return true;
    const key = stickyKey(stickyBy, req);
    const bucket = key === undefined ? Math.floor(draw() * BUCKETS) : bucketOf(routeName, key);
    return bucket < Math.round(percent * (BUCKETS / 100));
}
//# sourceMappingURL=canary.js.map