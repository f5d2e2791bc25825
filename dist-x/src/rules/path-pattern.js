import { pathSegments } from './normalise-path.js';
const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
export function parsePattern(pattern) {
    if (!pattern.startsWith('/'))
        return { ok: false, message: 'a path pattern starts with /' };
    if (/[?#]/.test(pattern))
        return { ok: false, message: 'a path pattern has no query or fragment; use match.query for query values' };
    if (/[\s\r\n]/.test(pattern))
        return { ok: false, message: 'a path pattern has no white space; percent-encode it' };
    // Normalise literals the same way requests are, so both sides compare alike.
    const raw = pathSegments(pattern);
    const segments = [];
    const names = new Set();
    for (let i = 0; i < raw.length; i++) {
        const seg = raw[i];
        if (seg === '**') {
            if (i !== raw.length - 1)
                return { ok: false, message: '** stands only at the end of a pattern, as in /api/users/**' };
            segments.push({ kind: 'rest' });
            continue;
        }
        const param = PARAM.exec(seg);
        if (param) {
            const name = param[1];
            if (names.has(name))
                return { ok: false, message: `parameter {${name}} appears twice` };
            names.add(name);
            segments.push({ kind: 'param', name });
            continue;
        }
        if (seg.includes('{') || seg.includes('}')) {
            return { ok: false, message: `segment "${seg}" mixes text and a parameter; a {name} takes a whole segment` };
        }
        if (seg.includes('*'))
            return { ok: false, message: `segment "${seg}" has a *; use {name} for one segment or ** at the end` };
        segments.push({ kind: 'literal', value: seg });
    }
    return { ok: true, segments };
}
/** `/api/orders/{id}`: the pattern as an endpoint template. */
export function patternTemplate(segments) {
    return ('/' +
        segments.map((s) => (s.kind === 'literal' ? s.value : s.kind === 'param' ? `{${s.name}}` : '**')).join('/'));
}
//# sourceMappingURL=path-pattern.js.map