/**
 * The path a route is matched against. The request is forwarded with its raw
 * path untouched; only matching sees this form, so that `/api/%6Frders/7`,
 * `/api/x/../orders/7` or `/api//orders/7` cannot slip past a rule that an
 * upstream would treat as the same resource.
 *
 *  - percent-encoded unreserved characters (RFC 3986 §2.3) are decoded;
 *    other escapes are kept, with upper-case hex, so `%2F` never splits a segment;
 *  - `.` and `..` segments are resolved (never above the root);
 *  - empty segments (`//`, a trailing `/`) are dropped;
 *  - case is kept as written.
 */
const HEX = '0123456789ABCDEF';
function isUnreserved(code) {
    return ((code >= 0x41 && code <= 0x5a) || // A-Z
        (code >= 0x61 && code <= 0x7a) || // a-z
        (code >= 0x30 && code <= 0x39) || // 0-9
        code === 0x2d || code === 0x2e || code === 0x5f || code === 0x7e // - . _ ~
    );
}
function hexValue(c) {
    if (c >= 0x30 && c <= 0x39)
        return c - 0x30;
    if (c >= 0x41 && c <= 0x46)
        return c - 0x37;
    if (c >= 0x61 && c <= 0x66)
        return c - 0x57;
    return -1;
}
function normaliseSegment(seg) {
    if (seg.indexOf('%') === -1)
        return seg;
    let out = '';
    for (let i = 0; i < seg.length; i++) {
        const ch = seg.charCodeAt(i);
        if (ch === 0x25 && i + 2 < seg.length) {
            const hi = hexValue(seg.charCodeAt(i + 1));
            const lo = hexValue(seg.charCodeAt(i + 2));
            if (hi >= 0 && lo >= 0) {
                const code = hi * 16 + lo;
                out += isUnreserved(code) ? String.fromCharCode(code) : '%' + HEX[hi] + HEX[lo];
                i += 2;
                continue;
            }
        }
        out += seg[i];
    }
    return out;
}
/**
 * Splits a raw request target's path into normalised segments.
 * `resolveDots: false` keeps `.` and `..` as segments: how a server that
 * does not resolve them (Node, Express) reads the path.
 */
export function pathSegments(rawPath, resolveDots = true) {
    let end = rawPath.indexOf('?');
    if (end === -1)
        end = rawPath.length;
    const hash = rawPath.indexOf('#');
    if (hash !== -1 && hash < end)
        end = hash;
    const out = [];
    let start = 0;
    while (start <= end) {
        let slash = rawPath.indexOf('/', start);
        if (slash === -1 || slash > end)
            slash = end;
        if (slash > start) {
            const seg = normaliseSegment(rawPath.slice(start, slash));
            if (seg === '..' && resolveDots)
                out.pop();
            else if ((seg !== '.' || !resolveDots) && seg !== '')
                out.push(seg);
        }
        start = slash + 1;
    }
    return out;
}
/** The normalised path as a string, for messages and explanations. */
export function normalisePath(rawPath) {
    return '/' + pathSegments(rawPath).join('/');
}
/**
 * The path of a request target: origin-form as is, absolute-form
 * (`GET http://host/x`) reduced to its path, `*` (OPTIONS) kept.
 */
export function targetPath(url) {
    if (url.charCodeAt(0) === 0x2f || url === '*')
        return url;
    const scheme = url.indexOf('://');
    if (scheme === -1)
        return url;
    const slash = url.indexOf('/', scheme + 3);
    const q = url.indexOf('?', scheme + 3);
    if (slash === -1 || (q !== -1 && q < slash))
        return '/' + (q === -1 ? '' : url.slice(q));
    return url.slice(slash);
}
//# sourceMappingURL=normalise-path.js.map