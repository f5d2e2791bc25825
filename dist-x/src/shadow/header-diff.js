import { contentTypeKey } from './media-type.js';
/**
 * Response headers compared by lower-cased name, path `header:<name>`:
 * only legacy sends it → `missing`; only the other side → `extra`; both,
 * with values that mean different things → `changed`.
 */
/**
 * Not compared unless a caller says otherwise: framing and hop-by-hop
 * headers, values that differ on every response (date, age, ids, trace
 * context, validators), and content-encoding, since bodies are compared
 * after it is undone.
 */
export const SKIPPED_HEADERS = new Set([
    'date',
    'server',
    'connection',
    'keep-alive',
    'transfer-encoding',
    'content-length',
    'etag',
    'last-modified',
    'age',
    'x-request-id',
    'traceparent',
    'content-encoding',
    'proxy-connection',
    'te',
    'trailer',
    'upgrade',
]);
/** Comma-separated lists whose order means nothing; their tokens compare case-insensitively. */
const TOKEN_SETS = new Set(['vary', 'allow', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-expose-headers']);
/** Raw flat list → lower-cased name → values in the order received. */
export function headerMap(raw) {
    const map = new Map();
    for (let i = 0; i + 1 < raw.length; i += 2) {
        const name = raw[i].toLowerCase();
        const value = raw[i + 1].trim();
        const list = map.get(name);
        if (list)
            list.push(value);
        else
            map.set(name, [value]);
    }
    return map;
}
export function headerValue(raw, name) {
    for (let i = 0; i + 1 < raw.length; i += 2)
        if (raw[i].toLowerCase() === name)
            return raw[i + 1];
    return undefined;
}
const tokens = (values, lower) => [...new Set(values.flatMap((v) => v.split(',')).map((t) => (lower ? t.trim().toLowerCase() : t.trim())).filter((t) => t !== ''))].sort().join(',');
/** Cache-Control directives as a set: names case-insensitive, quoted and bare values alike. */
function directives(values) {
    const out = values
        .flatMap((v) => v.split(','))
        .map((d) => {
        const eq = d.indexOf('=');
        if (eq < 0)
            return d.trim().toLowerCase();
        return `${d.slice(0, eq).trim().toLowerCase()}=${d.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1')}`;
    })
        .filter((d) => d !== '');
    return [...new Set(out)].sort().join(',');
}
/** Weak comparison (RFC 9110 §8.8.3.2): W/"x" and "x" name the same representation. */
const weakTag = (values) => values.map((v) => v.replace(/^W\//, '')).join(', ');
/** What a header's values mean, as a string: equal strings, equal meaning. */
function meaning(name, values) {
    if (name === 'content-type')
        return contentTypeKey(values[0]);
    if (TOKEN_SETS.has(name))
        return tokens(values, true);
    if (name === 'cache-control')
        return directives(values);
    // Cookies are separate header lines by design; their order carries nothing.
    if (name === 'set-cookie')
        return [...values].sort().join('\n');
    if (name === 'etag')
        return weakTag(values);
    return values.join(', ');
}
export function headerDifferences(legacyRaw, otherRaw, options = {}) {
    const skipped = options.skipped ?? SKIPPED_HEADERS;
    const ignore = options.ignore ?? (() => false);
    const legacy = headerMap(legacyRaw);
    const other = headerMap(otherRaw);
    const out = [];
    const names = new Set([...legacy.keys(), ...other.keys()]);
    for (const name of names) {
        if (skipped.has(name) || ignore(name))
            continue;
        const a = legacy.get(name);
        const b = other.get(name);
        const path = `header:${name}`;
        if (!b)
            out.push({ path, kind: 'missing' });
        else if (!a)
            out.push({ path, kind: 'extra' });
        else if (meaning(name, a) !== meaning(name, b))
            out.push({ path, kind: 'changed' });
    }
    return out;
}
//# sourceMappingURL=header-diff.js.map