import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import { RuleFileSchema } from './schema.js';
export function formatRuleError(e) {
    return `${e.file}:${e.line}:${e.column}${e.field ? ` ${e.field}` : ''}: ${e.message}`;
}
export function formatRuleErrors(errors) {
    return errors.map(formatRuleError).join('\n');
}
export function fieldPath(path) {
    let out = '';
    for (const p of path) {
        if (typeof p === 'number')
            out += `[${p}]`;
        else
            out += out ? `.${String(p)}` : String(p);
    }
    return out;
}
const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
/** Replaces `${VAR}` and `${VAR:-default}` in string scalars; a missing variable is an error at its place. */
function substituteEnv(doc, env, where) {
    const errors = [];
    visit(doc, {
        Scalar(_key, node) {
            if (typeof node.value !== 'string' || !node.value.includes('${'))
                return;
            node.value = node.value.replace(ENV_REF, (_m, name, fallback) => {
                const value = env[name];
                // As in the shell: `:-` also replaces an empty value; a plain reference only needs the variable to exist.
                if (fallback !== undefined)
                    return value === undefined || value === '' ? fallback : value;
                if (value !== undefined)
                    return value;
                errors.push({ ...where(node), message: `environment variable ${name} is not set; set it or write \${${name}:-default}` });
                return '';
            });
        },
    });
    return errors;
}
/** The YAML node at a field path (or the key `key` inside it), else the nearest ancestor that exists. */
function nodeAt(doc, path, key) {
    const pairIn = (node, name) => isMap(node) ? node.items.find((it) => isScalar(it.key) && String(it.key.value) === name) : undefined;
    let node = doc.contents;
    let found = doc.contents ?? undefined;
    for (const p of path) {
        if (isSeq(node) && typeof p === 'number')
            node = node.items[p];
        else
            node = pairIn(node, String(p))?.value;
        if (!isNode(node))
            return found;
        found = node;
    }
    if (key !== undefined) {
        const pair = pairIn(node, key);
        if (isNode(pair?.key))
            return pair.key;
    }
    return found;
}
export function loadRuleText(text, file, env = process.env) {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const place = (node, field = '') => {
        const offset = node?.range?.[0] ?? 0;
        const pos = lines.linePos(offset);
        return { file, line: pos.line, column: pos.col, field };
    };
    if (doc.errors.length > 0) {
        // The first YAML error is the cause; the ones after it are mostly its echoes.
        const e = doc.errors[0];
        const pos = lines.linePos(e.pos[0]);
        const lineText = text.split(/\r?\n/)[pos.line - 1] ?? '';
        const hint = /\{[^}]*\{/.test(lineText)
            ? '; inside a { … } mapping a pattern with {param} must be quoted, as in { path: "/api/orders/{id}" }'
            : '';
        return {
            ok: false,
            errors: [{ file, line: pos.line, column: pos.col, field: '', message: `not valid YAML: ${e.message.split('\n')[0]}${hint}` }],
        };
    }
    if (doc.contents === null) {
        return { ok: false, errors: [{ file, line: 1, column: 1, field: '', message: 'the rule file is empty; it needs at least legacy: URL' }] };
    }
    const envErrors = substituteEnv(doc, env, (node) => place(node));
    if (envErrors.length > 0)
        return { ok: false, errors: envErrors };
    const data = doc.toJS();
    const parsed = RuleFileSchema.safeParse(data);
    if (parsed.success)
        return { ok: true, rules: parsed.data };
    return { ok: false, errors: zodErrors(parsed.error, doc, data, place) };
}
/** True when the last key of `path` is absent from its parent in `data` (zod 4 issues do not carry the input). */
function isMissing(data, path) {
    if (path.length === 0)
        return data === undefined;
    let parent = data;
    for (const p of path.slice(0, -1)) {
        if (parent === null || typeof parent !== 'object')
            return false;
        parent = parent[p];
    }
    if (parent === null || typeof parent !== 'object')
        return false;
    return parent[path[path.length - 1]] === undefined;
}
function zodErrors(error, doc, data, place) {
    // A field check and the file-level pattern check can say the same thing about one path.
    const seen = new Set();
    return issueErrors(error.issues, doc, data, place).filter((e) => {
        const line = formatRuleError(e);
        return !seen.has(line) && !!seen.add(line);
    });
}
function issueErrors(issues, doc, data, place) {
    const out = [];
    for (const issue of issues) {
        if (issue.code === 'invalid_union' && !isMissing(data, issue.path)) {
            // A target is a URL or a mapping: when only one shape fits what was written, its own issues say what is wrong and where.
            const fitting = issue.errors.filter((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
            if (fitting.length === 1 && fitting[0].length > 0) {
                const inner = fitting[0].map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
                out.push(...issueErrors(inner, doc, data, place));
                continue;
            }
        }
        if (issue.code === 'unrecognized_keys') {
            for (const key of issue.keys) {
                out.push({
                    ...place(nodeAt(doc, issue.path, key), fieldPath([...issue.path, key])),
                    message: `unknown field "${key}"; check its spelling against the rule file reference`,
                });
            }
            continue;
        }
        const message = (issue.code === 'invalid_type' || issue.code === 'invalid_union') && isMissing(data, issue.path)
            ? `${fieldPath(issue.path) || 'field'} is required${issue.message.startsWith('Invalid input') ? '' : `: ${issue.message}`}`
            : issue.message;
        out.push({ ...place(nodeAt(doc, issue.path), fieldPath(issue.path)), message });
    }
    return out;
}
//# sourceMappingURL=load.js.map