import { matchesPath, parsePathPattern, pathPatternError } from './json-path.js';
export const NO_JSON_RULES = {
    none: true,
    ignored: () => false,
    unordered: () => false,
    keyAt: () => undefined,
    toleranceAt: () => undefined,
    hasTolerance: false,
};
const HEADER = 'header:';
/** Entries a route's compare block cannot use, each with its field, for the rule loader to refuse. */
export function compareRulesProblems(rules) {
    const problems = [];
    const check = (field, path, allowWords) => {
        if (allowWords && (path === 'status' || path === 'body'))
            return;
        if (allowWords && path.toLowerCase().startsWith(HEADER)) {
            if (path.length === HEADER.length)
                problems.push({ field, message: `${JSON.stringify(path)}: a header name is needed after header:` });
            return;
        }
        const error = pathPatternError(path);
        if (error)
            problems.push({ field, message: allowWords ? `${error} (or write header:<name>, status or body)` : error });
    };
    rules.ignore.forEach((p, i) => check(`ignore[${i}]`, p, true));
    rules.unordered.forEach((p, i) => check(`unordered[${i}]`, p, false));
    for (const p of Object.keys(rules.keyedArrays))
        check(`keyedArrays.${p}`, p, false);
    for (const p of Object.keys(rules.tolerance))
        check(`tolerance.${p}`, p, false);
    return problems;
}
function tryParse(source) {
    try {
        return parsePathPattern(source);
    }
    catch {
        // Refused at load time through compareRulesProblems; here an unusable entry selects nothing.
        return null;
    }
}
const cache = new WeakMap();
export function compileCompareRules(rules) {
    const hit = cache.get(rules);
    if (hit)
        return hit;
    let ignoreStatus = false;
    let ignoreBody = false;
    const headerNames = new Set();
    const headerPrefixes = [];
    const ignore = [];
    for (const entry of rules.ignore) {
        if (entry === 'status')
            ignoreStatus = true;
        else if (entry === 'body')
            ignoreBody = true;
        else if (entry.toLowerCase().startsWith(HEADER)) {
            const name = entry.slice(HEADER.length).trim().toLowerCase();
            if (name.endsWith('*'))
                headerPrefixes.push(name.slice(0, -1));
            else
                headerNames.add(name);
        }
        else {
            const p = tryParse(entry);
            if (p)
                ignore.push(p);
        }
    }
    const unordered = rules.unordered.map(tryParse).filter((p) => p !== null);
    const keyed = Object.entries(rules.keyedArrays).flatMap(([path, key]) => {
        const p = tryParse(path);
        return p ? [{ p, key }] : [];
    });
    const tolerance = Object.entries(rules.tolerance).flatMap(([path, t]) => {
        const p = tryParse(path);
        return p ? [{ p, t }] : [];
    });
    const none = ignore.length + unordered.length + keyed.length + tolerance.length === 0;
    const json = none
        ? NO_JSON_RULES
        : {
            none: false,
            ignored: (path) => ignore.some((p) => matchesPath(p, path)),
            unordered: (path) => unordered.some((p) => matchesPath(p, path)),
            keyAt: (path) => keyed.find((k) => matchesPath(k.p, path))?.key,
            toleranceAt: (path) => tolerance.find((k) => matchesPath(k.p, path))?.t,
            hasTolerance: tolerance.length > 0,
        };
    const compiled = {
        ignoreStatus,
        ignoreBody,
        ignoreHeader: (name) => {
            const n = name.toLowerCase();
            return headerNames.has(n) || headerPrefixes.some((prefix) => n.startsWith(prefix));
        },
        json,
    };
    cache.set(rules, compiled);
    return compiled;
}
//# sourceMappingURL=compare-rules.js.map