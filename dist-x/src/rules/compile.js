import { parsePattern, patternTemplate } from './path-pattern.js';
import { otherReadings } from './path-readings.js';
import { normaliseHost } from './request-view.js';
const newNode = () => ({ literal: new Map(), param: null, exact: [], rest: [] });
function compileRoute(spec, index, segments) {
    const m = spec.match;
    const lower = (o) => Object.entries(o ?? {}).map(([k, v]) => [k.toLowerCase(), v]);
    const entries = (o) => Object.entries(o ?? {}).map(([k, v]) => [k, v]);
    const headers = lower(m.headers);
    const query = entries(m.query);
    const cookies = entries(m.cookies);
    const params = [];
    segments.forEach((s, i) => {
        if (s.kind === 'param')
            params.push([i, s.name]);
    });
    return {
        spec,
        name: spec.name,
        mode: spec.mode,
        index,
        template: patternTemplate(segments),
        conditions: (m.methods ? 1 : 0) + (m.host ? 1 : 0) + headers.length + query.length + cookies.length,
        methods: m.methods ? new Set(m.methods.map((x) => x.toUpperCase())) : null,
        host: m.host ? normaliseHost(m.host) : null,
        headers,
        query,
        cookies,
        params,
    };
}
function hostMatches(pattern, host) {
    if (pattern.startsWith('*.'))
        return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
    return pattern === host;
}
/** The first condition of `route` that `req` fails, or '' when all hold. */
function failedCondition(route, req) {
    if (route.methods && !route.methods.has(req.method))
        return `method ${req.method} not in [${[...route.methods].join(', ')}]`;
    if (route.host && !hostMatches(route.host, req.host))
        return `host "${req.host}" is not "${route.host}"`;
    for (const [name, value] of route.headers) {
        if (req.header(name) !== value)
            return `header ${name} is not "${value}"`;
    }
    for (const [name, value] of route.query) {
        if (!req.query(name).includes(value))
            return `query ${name} is not "${value}"`;
    }
    for (const [name, value] of route.cookies) {
        if (req.cookie(name) !== value)
            return `cookie ${name} is not "${value}"`;
    }
    return '';
}
function byPrecedence(a, b) {
    return b.conditions - a.conditions || a.index - b.index;
}
/**
 * Where a request ends up, for comparing readings: legacy answers for no
 * route, a legacy route and a shadow route alike; a canary route splits by
 * its own name; service and retired routes go to their service.
 */
function destination(route) {
    if (!route || route.mode === 'legacy' || route.mode === 'shadow')
        return 'legacy';
    if (route.mode === 'canary')
        return `canary:${route.name}`;
    return `${route.mode}:${route.spec.service ?? ''}`;
}
/** A trie of the routes; `fold` lower-cases the literals, for the case-insensitive reading. */
function buildTrie(routes, patterns, fold) {
    const root = newNode();
    routes.forEach((route, i) => {
        let node = root;
        for (const seg of patterns[i]) {
            if (seg.kind === 'rest') {
                node.rest.push(route);
                return;
            }
            if (seg.kind === 'param')
                node = node.param ??= newNode();
            else {
                const value = fold ? seg.value.toLowerCase() : seg.value;
                let next = node.literal.get(value);
                if (!next)
                    node.literal.set(value, (next = newNode()));
                node = next;
            }
        }
        node.exact.push(route);
    });
    const sortAll = (node) => {
        node.exact.sort(byPrecedence);
        node.rest.sort(byPrecedence);
        for (const child of node.literal.values())
            sortAll(child);
        if (node.param)
            sortAll(node.param);
    };
    sortAll(root);
    return root;
}
export function compileTable(rules) {
    const routes = [];
    const patterns = [];
    const names = new Map();
    /** Literal segments as written, and lower-cased: a request segment in the second set but not the first reads differently without case. */
    const literals = new Set();
    const foldedLiterals = new Set();
    rules.routes.forEach((spec, index) => {
        const parsed = parsePattern(spec.match.path);
        // The schema has already refused bad patterns; this guards direct callers.
        if (!parsed.ok)
            throw new Error(`routes[${index}].match.path: ${parsed.message}`);
        const route = compileRoute(spec, index, parsed.segments);
        routes.push(route);
        patterns.push(parsed.segments);
        names.set(route.name, route);
        for (const seg of parsed.segments) {
            if (seg.kind !== 'literal')
                continue;
            literals.add(seg.value);
            foldedLiterals.add(seg.value.toLowerCase());
        }
    });
    const root = buildTrie(routes, patterns, false);
    // Only needed for requests whose case is off from a route's literal: built the first time one comes.
    let foldedRoot = null;
    const caseMatters = (segs) => {
        for (const seg of segs) {
            const lower = seg.toLowerCase();
            if (foldedLiterals.has(lower) && !literals.has(seg))
                return true;
        }
        return false;
    };
    const pick = (list, req, trace) => {
        for (const route of list) {
            const failed = failedCondition(route, req);
            if (trace)
                trace.push({ route: route.name, pattern: route.spec.match.path, failed });
            if (!failed)
                return route;
        }
        return null;
    };
    const search = (node, segs, i, req, trace) => {
        if (i === segs.length) {
            if (node.exact.length) {
                const hit = pick(node.exact, req, trace);
                if (hit)
                    return hit;
            }
        }
        else {
            const lit = node.literal.get(segs[i]);
            if (lit) {
                const hit = search(lit, segs, i + 1, req, trace);
                if (hit)
                    return hit;
            }
            if (node.param) {
                const hit = search(node.param, segs, i + 1, req, trace);
                if (hit)
                    return hit;
            }
        }
        return node.rest.length ? pick(node.rest, req, trace) : null;
    };
    const result = (route, req) => {
        if (!route)
            return null;
        const params = {};
        for (const [pos, name] of route.params)
            params[name] = req.segments[pos];
        return { route, params };
    };
    const misreadingOf = (req, segs, how, want) => {
        if (how !== null) {
            const other = search(root, segs, 0, req, null);
            if (destination(other) !== want)
                return { how, route: other?.name ?? null };
        }
        if (caseMatters(segs)) {
            foldedRoot ??= buildTrie(routes, patterns, true);
            const other = search(foldedRoot, segs.map((x) => x.toLowerCase()), 0, req, null);
            if (destination(other) !== want)
                return { how: how === null ? 'with case ignored' : `${how}, and case ignored`, route: other?.name ?? null };
        }
        return null;
    };
    return {
        rules,
        routes,
        match: (req) => result(search(root, req.segments, 0, req, null), req),
        misreading: (req, matched) => {
            const want = destination(matched?.route ?? null);
            const asIs = misreadingOf(req, req.segments, null, want);
            if (asIs)
                return asIs;
            for (const reading of otherReadings(req.rawPath)) {
                const other = misreadingOf(req, reading.segments, reading.how, want);
                if (other)
                    return other;
            }
            return null;
        },
        explain: (req) => {
            const candidates = [];
            return { result: result(search(root, req.segments, 0, req, candidates), req), candidates };
        },
        byName: (name) => names.get(name),
    };
}
//# sourceMappingURL=compile.js.map