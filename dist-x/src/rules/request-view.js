import { pathSegments, targetPath } from './normalise-path.js';
/**
 * What matching and sticky splits see of a request. Query and cookies are
 * parsed only when a rule asks for them, so the common path pays nothing.
 */
export class RequestView {
    method;
    rawPath;
    segments;
    headers;
    remoteAddress;
    hostCache;
    queryCache;
    cookieCache;
    constructor(method, url, headers, remoteAddress = '') {
        this.method = method;
        this.rawPath = targetPath(url);
        this.segments = pathSegments(this.rawPath);
        this.headers = headers;
        this.remoteAddress = remoteAddress;
    }
    /** Host without port or trailing dot, lower case. */
    get host() {
        if (this.hostCache === undefined)
            this.hostCache = normaliseHost(this.headers.host ?? '');
        return this.hostCache;
    }
    header(name) {
        const v = this.headers[name];
        return Array.isArray(v) ? v.join(', ') : v;
    }
    query(name) {
        if (!this.queryCache) {
            const q = this.rawPath.indexOf('?');
            this.queryCache = new URLSearchParams(q === -1 ? '' : this.rawPath.slice(q + 1));
        }
        return this.queryCache.getAll(name);
    }
    cookie(name) {
        if (!this.cookieCache)
            this.cookieCache = parseCookies(this.header('cookie'));
        return this.cookieCache.get(name);
    }
}
export function normaliseHost(host) {
    let h = host.trim().toLowerCase();
    if (h.startsWith('[')) {
        const close = h.indexOf(']');
        return close === -1 ? h : h.slice(0, close + 1);
    }
    const colon = h.lastIndexOf(':');
    if (colon !== -1)
        h = h.slice(0, colon);
    while (h.endsWith('.'))
        h = h.slice(0, -1);
    return h;
}
export function parseCookies(header) {
    const out = new Map();
    if (!header)
        return out;
    for (const part of header.split(/;\s*|,\s*(?=[^;,=\s]+=)/)) {
        const eq = part.indexOf('=');
        if (eq <= 0)
            continue;
        const name = part.slice(0, eq).trim();
        // The first occurrence wins, as browsers send the most specific cookie first.
        if (!out.has(name))
            out.set(name, part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
    }
    return out;
}
//# sourceMappingURL=request-view.js.map