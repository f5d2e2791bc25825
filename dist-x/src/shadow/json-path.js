/**
 * JSON paths as the compare rules write them and as differences report them.
 *
 * A concrete path names one node: `$`, `$.items[3].price`, `$['a.b']`.
 * A pattern may also say "any index or member" (`[*]`, `.*`) and "at any
 * depth below" (`..name`, `..[*]`), as in JSONPath (RFC 9535) shorthand;
 * filters, slices and unions are not supported, a rule needing them is
 * refused rather than half understood.
 */
export class PathSyntaxError extends Error {
    source;
    position;
    constructor(source, position, detail) {
        super(`${JSON.stringify(source)}: ${detail} at character ${position + 1}`);
        this.source = source;
        this.position = position;
    }
}
// The RFC 9535 member-name shorthand, ASCII only: everything else is written quoted.
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export function parsePathPattern(source) {
    const s = source;
    let i = 0;
    const fail = (detail) => {
        throw new PathSyntaxError(source, i, detail);
    };
    if (s[0] !== '$')
        fail('a path starts with $');
    i = 1;
    const steps = [];
    const quoted = () => {
        const quote = s[i];
        i++;
        let out = '';
        while (i < s.length && s[i] !== quote) {
            if (s[i] === '\\') {
                const e = s[i + 1];
                if (e === undefined)
                    fail('unfinished escape');
                if (e === 'u') {
                    const hex = s.slice(i + 2, i + 6);
                    if (!/^[0-9a-fA-F]{4}$/.test(hex))
                        fail('\\u needs four hex digits');
                    out += String.fromCharCode(parseInt(hex, 16));
                    i += 6;
                    continue;
                }
                const simple = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '/': '/' };
                if (!(e in simple))
                    fail(`unknown escape \\${e}`);
                out += simple[e];
                i += 2;
                continue;
            }
            out += s[i];
            i++;
        }
        if (i >= s.length)
            fail('unclosed quote');
        i++;
        return out;
    };
    const bracket = () => {
        i++; // [
        let step;
        if (s[i] === "'" || s[i] === '"')
            step = { kind: 'member', name: quoted() };
        else if (s[i] === '*') {
            i++;
            step = { kind: 'any' };
        }
        else {
            const m = /^(0|[1-9][0-9]*)/.exec(s.slice(i));
            if (!m)
                return fail("expected 'name', an index or * inside [ ]");
            if (m[1].length > 15)
                fail('index too large');
            step = { kind: 'index', index: Number(m[1]) };
            i += m[1].length;
        }
        if (s[i] !== ']')
            fail('expected ]');
        i++;
        return step;
    };
    const dotted = () => {
        const start = i;
        while (i < s.length && s[i] !== '.' && s[i] !== '[' && s[i] !== ']')
            i++;
        const name = s.slice(start, i);
        if (name === '')
            fail('expected a member name');
        return name === '*' ? { kind: 'any' } : { kind: 'member', name };
    };
    while (i < s.length) {
        if (s.startsWith('..', i)) {
            i += 2;
            steps.push({ kind: 'descend', step: s[i] === '[' ? bracket() : dotted() });
        }
        else if (s[i] === '.') {
            i++;
            steps.push(dotted());
        }
        else if (s[i] === '[')
            steps.push(bracket());
        else
            fail('expected . or [');
    }
    return { source, steps };
}
/** Null when `source` is a valid pattern, otherwise what is wrong with it. */
export function pathPatternError(source) {
    try {
        parsePathPattern(source);
        return null;
    }
    catch (err) {
        if (err instanceof PathSyntaxError)
            return err.message;
        throw err;
    }
}
function stepMatches(step, at) {
    if (step.kind === 'any')
        return true;
    if (step.kind === 'member')
        return typeof at === 'string' && at === step.name;
    return typeof at === 'number' && at === step.index;
}
function matchFrom(steps, pi, path, si) {
    if (pi === steps.length)
        return si === path.length;
    const step = steps[pi];
    if (step.kind === 'descend') {
        for (let k = si; k < path.length; k++) {
            if (stepMatches(step.step, path[k]) && matchFrom(steps, pi + 1, path, k + 1))
                return true;
        }
        return false;
    }
    return si < path.length && stepMatches(step, path[si]) && matchFrom(steps, pi + 1, path, si + 1);
}
/** Does the pattern select exactly this node (not merely an ancestor of it)? */
export function matchesPath(pattern, path) {
    return matchFrom(pattern.steps, 0, path, 0);
}
function quote(name) {
    let out = "'";
    for (const ch of name) {
        const c = ch.charCodeAt(0);
        if (ch === '\\' || ch === "'")
            out += '\\' + ch;
        else if (c < 0x20)
            out += '\\u' + c.toString(16).padStart(4, '0');
        else
            out += ch;
    }
    return out + "'";
}
function formatStep(step) {
    switch (step.kind) {
        case 'member':
            return PLAIN_NAME.test(step.name) ? `.${step.name}` : `[${quote(step.name)}]`;
        case 'index':
            return `[${step.index}]`;
        case 'any':
            return '[*]';
        case 'descend': {
            const inner = formatStep(step.step);
            return inner.startsWith('.') ? `.${inner}` : `..${inner}`;
        }
    }
}
export function formatPattern(steps) {
    return '$' + steps.map(formatStep).join('');
}
/** `['items', 3, 'a.b']` → `$.items[3]['a.b']`: odd member names are quoted so the path parses back. */
export function formatPath(path) {
    let out = '$';
    for (const at of path)
        out += typeof at === 'number' ? `[${at}]` : formatStep({ kind: 'member', name: at });
    return out;
}
/** The steps of a concrete path, or null when `text` is not one (a pattern, `status`, `header:x`). */
export function parseConcretePath(text) {
    let pattern;
    try {
        pattern = parsePathPattern(text);
    }
    catch {
        return null;
    }
    const out = [];
    for (const step of pattern.steps) {
        if (step.kind === 'member')
            out.push(step.name);
        else if (step.kind === 'index')
            out.push(step.index);
        else
            return null;
    }
    return out;
}
/**
 * The group a concrete path belongs to: every index becomes `[*]`, so that
 * `$.items[3].price` and `$.items[7].price` are one finding, counted twice.
 * Anything that is not a JSON path (`status`, `header:etag`, `body`) is its own group.
 */
export function groupPath(path) {
    if (!path.startsWith('$'))
        return path;
    let pattern;
    try {
        pattern = parsePathPattern(path);
    }
    catch {
        return path;
    }
    return formatPattern(pattern.steps.map((s) => (s.kind === 'index' ? { kind: 'any' } : s)));
}
//# sourceMappingURL=json-path.js.map