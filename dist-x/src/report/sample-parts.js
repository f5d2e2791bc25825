const isObj = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
function headerPairs(v) {
    if (!Array.isArray(v))
        return undefined;
    const out = [];
    for (const p of v) {
        if (!Array.isArray(p) || typeof p[0] !== 'string' || typeof p[1] !== 'string')
            return undefined;
        out.push([p[0], p[1]]);
    }
    return out;
}
const bodyOf = (v) => (v.body === null || v.body === undefined ? null : typeof v.body === 'string' ? v.body : undefined);
const encodingOf = (v) => (v.encoding === 'base64' ? 'base64' : 'text');
function response(v) {
    if (!isObj(v) || typeof v.status !== 'number')
        return undefined;
    const headers = headerPairs(v.headers ?? []);
    const body = bodyOf(v);
    if (!headers || body === undefined)
        return undefined;
    return { status: v.status, headers, body, encoding: encodingOf(v), truncated: v.truncated === true };
}
function request(v) {
    if (!isObj(v) || typeof v.method !== 'string' || typeof v.url !== 'string')
        return undefined;
    const headers = headerPairs(v.headers ?? []);
    const body = bodyOf(v);
    if (!headers || body === undefined)
        return undefined;
    return { method: v.method, url: v.url, headers, body, encoding: encodingOf(v), truncated: v.truncated === true, redacted: v.redacted === true };
}
function differences(v) {
    if (!Array.isArray(v))
        return [];
    return v.filter((d) => isObj(d) && typeof d.path === 'string' && typeof d.kind === 'string').map((d) => ({ path: d.path, kind: d.kind }));
}
export function sampleParts(s) {
    const req = request(s.request);
    const legacy = response(s.legacy);
    const other = response(s.other);
    if (!req || !legacy || !other)
        return undefined;
    return { request: req, sideBySide: { target: s.target, legacy, other, differences: differences(s.differences) } };
}
//# sourceMappingURL=sample-parts.js.map