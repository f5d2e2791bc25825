import { NO_JSON_RULES } from './compare-rules.js';
import { formatPath } from './json-path.js';
import { isJsonObject, jsonType, LongNumber, numberValue } from './json-value.js';
function report(w, path, kind) {
    w.differs = true;
    w.out?.push({ path: formatPath(path), kind });
}
const stop = (w) => w.out === null && w.differs;
export function jsonDifferences(legacy, other, rules = NO_JSON_RULES) {
    const w = { rules, out: [], differs: false };
    diffValue(w, legacy, other, []);
    return w.out;
}
export function jsonEqual(legacy, other, rules = NO_JSON_RULES, path = []) {
    const w = { rules, out: null, differs: false };
    diffValue(w, legacy, other, path);
    return !w.differs;
}
function diffValue(w, a, b, path) {
    if (!w.rules.none && w.rules.ignored(path))
        return;
    diffUnchecked(w, a, b, path);
}
function diffUnchecked(w, a, b, path) {
    // Equal primitives are most of any document; within a tolerance or not, they are equal.
    if (a === b)
        return;
    const type = jsonType(a);
    if (type !== jsonType(b))
        return report(w, path, 'type');
    switch (type) {
        case 'object':
            return diffObject(w, a, b, path);
        case 'array':
            return diffArray(w, a, b, path);
        case 'number':
            if (!numbersEqual(w.rules, a, b, path))
                report(w, path, 'changed');
            return;
        default:
            if (a !== b)
                report(w, path, 'changed');
    }
}
function numbersEqual(rules, a, b, path) {
    const tolerance = rules.hasTolerance ? rules.toleranceAt(path) : undefined;
    if (tolerance !== undefined) {
        const x = numberValue(a);
        const y = numberValue(b);
        // A few ulps of slack: 0.101 − 0.1 is 0.0010000000000000009 in doubles, and must pass a tolerance of 0.001.
        return x === y || Math.abs(x - y) <= tolerance + 4 * Number.EPSILON * Math.max(Math.abs(x), Math.abs(y));
    }
    if (typeof a === 'number' && typeof b === 'number')
        return a === b;
    // Only numerals of 16+ significant digits are LongNumbers, so one never equals a double.
    return a instanceof LongNumber && b instanceof LongNumber && a.canonical === b.canonical;
}
function diffObject(w, a, b, path) {
    const rules = w.rules;
    for (const name of Object.keys(a)) {
        path.push(name);
        if (rules.none || !rules.ignored(path)) {
            if (!Object.hasOwn(b, name))
                report(w, path, 'missing');
            else
                diffUnchecked(w, a[name], b[name], path);
        }
        path.pop();
        if (stop(w))
            return;
    }
    for (const name of Object.keys(b)) {
        if (Object.hasOwn(a, name))
            continue;
        path.push(name);
        if (rules.none || !rules.ignored(path))
            report(w, path, 'extra');
        path.pop();
        if (stop(w))
            return;
    }
}
function diffArray(w, a, b, path) {
    const rules = w.rules;
    const key = rules.none ? undefined : rules.keyAt(path);
    const unordered = !rules.none && rules.unordered(path);
    if (key !== undefined)
        return diffKeyed(w, a, b, path, key, unordered);
    if (unordered) {
        const { onlyA, onlyB } = pairUp(rules, a, b, path);
        reportElements(w, path, onlyA, 'missing');
        reportElements(w, path, onlyB, 'extra');
        return;
    }
    diffOrdered(w, a, b, path);
}
function reportElements(w, path, indices, kind) {
    for (const i of indices) {
        path.push(i);
        if (w.rules.none || !w.rules.ignored(path))
            report(w, path, kind);
        path.pop();
        if (stop(w))
            return;
    }
}
function diffOrdered(w, a, b, path) {
    if (a.length === b.length) {
        // Element by element first; only the elements that differ need asking whether they are the others reordered.
        const sub = { rules: w.rules, out: w.out === null ? null : [], differs: false };
        const differing = [];
        for (let i = 0; i < a.length; i++) {
            sub.differs = false;
            path.push(i);
            diffValue(sub, a[i], b[i], path);
            path.pop();
            if (!sub.differs)
                continue;
            differing.push(i);
            if (w.out === null)
                break;
        }
        if (differing.length === 0)
            return;
        if (w.out === null) {
            w.differs = true;
            return;
        }
        if (sameMultiset(w.rules, a, b, path, differing))
            return report(w, path, 'order');
        w.differs = true;
        for (const d of sub.out)
            w.out.push(d);
        return;
    }
    report(w, path, 'length');
    if (w.out === null)
        return;
    // Skip what still lines up at the head and the tail, so one element inserted
    // or removed in the middle is not read as every later element changed.
    const shorter = Math.min(a.length, b.length);
    let head = 0;
    while (head < shorter && elementsEqual(w.rules, a, b, head, head, path))
        head++;
    let tail = 0;
    while (tail < shorter - head && elementsEqual(w.rules, a, b, a.length - 1 - tail, b.length - 1 - tail, path))
        tail++;
    const overlap = shorter - head - tail;
    for (let t = 0; t < overlap; t++) {
        path.push(head + t);
        diffValue(w, a[head + t], b[head + t], path);
        path.pop();
    }
}
/**
 * Are the elements at these positions of `a` the elements at the same
 * positions of `b`, reordered? Positions that agree cancel out, so this is
 * the whole arrays' question. Most arrays that differ were not reordered:
 * one element without a partner, found by cheap early-exit comparisons,
 * settles it before any element is keyed.
 */
function sameMultiset(rules, a, b, path, positions) {
    if (positions.length < 2)
        return false;
    for (const i of [positions[0], positions[positions.length - 1]]) {
        path.push(i);
        const paired = positions.some((j) => jsonEqual(a[i], b[j], rules, path));
        path.pop();
        if (!paired)
            return false;
    }
    const { onlyA, onlyB } = pairUp(rules, a, b, path, positions);
    return onlyA.length === 0 && onlyB.length === 0;
}
function elementsEqual(rules, a, b, i, j, path) {
    path.push(i);
    const equal = jsonEqual(a[i], b[j], rules, path);
    path.pop();
    return equal;
}
function diffKeyed(w, a, b, path, key, unordered) {
    // Elements without the key member are paired by their whole value instead.
    const idOf = (el, i) => {
        if (isJsonObject(el) && Object.hasOwn(el, key))
            return 'k' + valueKey(NO_JSON_RULES, el[key], []);
        path.push(i);
        const k = 'v' + valueKey(w.rules, el, path);
        path.pop();
        return k;
    };
    const byId = new Map();
    b.forEach((el, j) => {
        const id = idOf(el, j);
        const list = byId.get(id);
        if (list)
            list.push(j);
        else
            byId.set(id, [j]);
    });
    const pairs = [];
    const onlyA = [];
    a.forEach((el, i) => {
        const j = byId.get(idOf(el, i))?.shift();
        if (j === undefined)
            onlyA.push(i);
        else
            pairs.push([i, j]);
    });
    const onlyB = [...byId.values()].flat().sort((x, y) => x - y);
    reportElements(w, path, onlyA, 'missing');
    reportElements(w, path, onlyB, 'extra');
    for (const [i, j] of pairs) {
        if (stop(w))
            return;
        path.push(i);
        diffValue(w, a[i], b[j], path);
        path.pop();
    }
    if (!unordered && pairs.some(([, j], n) => n > 0 && j < pairs[n - 1][1]))
        report(w, path, 'order');
}
/**
 * Multiset pairing: each legacy element with an equal other element, under
 * the rules; what is left on either side. `only` limits both sides to those
 * positions.
 */
function pairUp(rules, a, b, path, only) {
    const positions = (n) => only ?? Array.from({ length: n }, (_, i) => i);
    const buckets = new Map();
    for (const j of positions(b.length)) {
        path.push(j);
        const k = valueKey(rules, b[j], path);
        path.pop();
        const list = buckets.get(k);
        if (list)
            list.push(j);
        else
            buckets.set(k, [j]);
    }
    const onlyA = [];
    for (const i of positions(a.length)) {
        const el = a[i];
        path.push(i);
        const list = buckets.get(valueKey(rules, el, path));
        // Keys blank out numbers under a tolerance, so within a bucket equality is still checked.
        const at = !list ? -1 : rules.hasTolerance ? list.findIndex((j) => jsonEqual(el, b[j], rules, path)) : list.length > 0 ? 0 : -1;
        path.pop();
        if (at < 0)
            onlyA.push(i);
        else
            list.splice(at, 1);
    }
    return { onlyA, onlyB: [...buckets.values()].flat().sort((x, y) => x - y) };
}
/**
 * A string equal for values the rules call equal: members sorted, ignored
 * paths left out, unordered arrays sorted, numbers under a tolerance blanked.
 */
function valueKey(rules, v, path) {
    if (!rules.none && rules.ignored(path))
        return '~';
    if (v === null)
        return 'n';
    if (v === true)
        return 't';
    if (v === false)
        return 'f';
    if (typeof v === 'string')
        return JSON.stringify(v);
    if (typeof v === 'number' || v instanceof LongNumber) {
        if (rules.hasTolerance && rules.toleranceAt(path) !== undefined)
            return '#~';
        return typeof v === 'number' ? `#${v}` : `#L${v.canonical}`;
    }
    if (Array.isArray(v)) {
        const parts = v.map((el, i) => {
            path.push(i);
            const k = valueKey(rules, el, path);
            path.pop();
            return k;
        });
        if (!rules.none && rules.unordered(path))
            parts.sort();
        return `[${parts.join(',')}]`;
    }
    const parts = [];
    for (const name of Object.keys(v).sort()) {
        path.push(name);
        if (rules.none || !rules.ignored(path))
            parts.push(`${JSON.stringify(name)}:${valueKey(rules, v[name], path)}`);
        path.pop();
    }
    return `{${parts.join(',')}}`;
}
//# sourceMappingURL=json-diff.js.map