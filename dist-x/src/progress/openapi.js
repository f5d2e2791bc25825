import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { pathSegments } from '../rules/normalise-path.js';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
/** `paths["/orders/{id}"].get`: keys that are not plain names are quoted, since paths are full of `/` and `.`. */
export function openApiField(path) {
    let out = '';
    for (const p of path) {
        if (typeof p === 'number')
            out += `[${p}]`;
        else if (/^[A-Za-z_$][\w$-]*$/.test(p))
            out += out ? `.${p}` : p;
        else
            out += `[${JSON.stringify(p)}]`;
    }
    return out;
}
/** Follows `#/a/b~1c` inside the same document; null for anything else. */
function resolvePointer(doc, ref) {
    if (!ref.startsWith('#/'))
        return null;
    let node = doc;
    for (const raw of ref.slice(2).split('/')) {
        const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
        if (!isObject(node))
            return null;
        node = node[key];
    }
    return node ?? null;
}
/**
 * The path part of a server URL: `https://api.example.com/v1` and `/v1`
 * both give `/v1`; variables take their default, as clients do when nobody
 * picks a value.
 */
function serverPrefix(servers) {
    if (!Array.isArray(servers) || servers.length === 0)
        return null;
    const first = servers[0];
    if (!isObject(first) || typeof first.url !== 'string')
        return null;
    const variables = isObject(first.variables) ? first.variables : {};
    const url = first.url.replace(/\{([^}]+)\}/g, (whole, name) => {
        const v = variables[name];
        if (isObject(v) && (typeof v.default === 'string' || typeof v.default === 'number'))
            return String(v.default);
        return whole;
    });
    let path = url;
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*:)?\/\/[^/?#]*/.exec(url);
    if (scheme)
        path = url.slice(scheme[0].length);
    return '/' + pathSegments(path).join('/');
}
function joinPath(prefix, path) {
    return '/' + pathSegments(prefix + '/' + path).join('/');
}
/** The endpoints of a parsed document, or what keeps it from being read as OpenAPI 3. */
function readOpenApi(doc) {
    const endpoints = [];
    const warnings = [];
    const problems = [];
    const fail = (path, message) => {
        problems.push({ path, message });
        return { endpoints, warnings, problems };
    };
    if (!isObject(doc)) {
        return fail([], 'not an OpenAPI document: expected a mapping with openapi: 3.x and paths');
    }
    if (doc.openapi === undefined) {
        if (doc.swagger !== undefined) {
            return fail(['swagger'], `this is Swagger ${String(doc.swagger)}; only OpenAPI 3 is read. Convert it first (for example with swagger2openapi)`);
        }
        return fail([], 'not an OpenAPI 3 document: the openapi field is missing (it starts with openapi: 3.0.3 or 3.1.0)');
    }
    // An unquoted `openapi: 3.0` is the number 3 to YAML; the version still reads.
    if (!/^3(\.\d+)*$/.test(String(doc.openapi).trim())) {
        return fail(['openapi'], `openapi is ${JSON.stringify(doc.openapi)}; only OpenAPI 3.x is read`);
    }
    if (!isObject(doc.paths)) {
        return fail(['paths'], doc.paths === undefined ? 'paths is missing; there are no endpoints to import' : 'paths must be a mapping of path → operations');
    }
    const seen = new Set();
    const rootPrefix = serverPrefix(doc.servers) ?? '';
    for (const [path, rawItem] of Object.entries(doc.paths)) {
        if (path.startsWith('x-'))
            continue;
        if (!path.startsWith('/')) {
            problems.push({ path: ['paths', path], message: `path "${path}" must start with /`, atKey: true });
            continue;
        }
        let item = rawItem;
        if (isObject(item) && typeof item.$ref === 'string') {
            const target = resolvePointer(doc, item.$ref);
            if (target === null) {
                warnings.push(`paths["${path}"]: skipped, its $ref ${item.$ref} points outside this file`);
                continue;
            }
            item = target;
        }
        if (!isObject(item)) {
            problems.push({ path: ['paths', path], message: 'a path item must be a mapping of method → operation' });
            continue;
        }
        const itemPrefix = serverPrefix(item.servers) ?? rootPrefix;
        for (const method of METHODS) {
            const operation = item[method];
            if (operation === undefined)
                continue;
            if (!isObject(operation)) {
                problems.push({ path: ['paths', path, method], message: `the ${method} operation must be a mapping` });
                continue;
            }
            const endpoint = { method: method.toUpperCase(), path: joinPath(serverPrefix(operation.servers) ?? itemPrefix, path) };
            const key = `${endpoint.method} ${endpoint.path}`;
            if (seen.has(key))
                continue;
            seen.add(key);
            endpoints.push(endpoint);
        }
    }
    if (problems.length === 0 && endpoints.length === 0)
        warnings.push('no operations (get, post, …) under paths; nothing to import');
    return { endpoints, warnings, problems };
}
/** Endpoints (method upper-case, server path prefix applied) of an OpenAPI 3 document; throws when it is not one. */
export function endpointsFromOpenApi(doc) {
    const { endpoints, problems } = readOpenApi(doc);
    if (problems.length > 0) {
        throw new Error(problems.map((p) => (p.path.length ? `${openApiField(p.path)}: ${p.message}` : p.message)).join('\n'));
    }
    return endpoints;
}
/** The YAML node at a field path (or its key), else the nearest ancestor that exists. */
function nodeAt(doc, path, atKey = false) {
    let node = doc.contents;
    let found = doc.contents ?? undefined;
    for (let i = 0; i < path.length; i++) {
        const p = path[i];
        if (isSeq(node) && typeof p === 'number')
            node = node.items[p];
        else if (isMap(node)) {
            const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(p));
            // A null value (`get:` with nothing after it) has no place of its own: use the key's.
            node = (atKey && i === path.length - 1) || !isNode(pair?.value) ? pair?.key : pair?.value;
        }
        else
            node = undefined;
        if (!isNode(node))
            return found;
        found = node;
    }
    return found;
}
/** OpenAPI text (YAML or JSON) → endpoints, or errors that name the file, line and field. */
export function parseOpenApiText(text, file) {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const at = (offset, field, message) => {
        const pos = lines.linePos(offset);
        return { file, line: pos.line, column: pos.col, field, message };
    };
    if (doc.errors.length > 0) {
        // The first YAML error is the cause; the ones after it are mostly its echoes.
        const e = doc.errors[0];
        return { ok: false, errors: [at(e.pos[0], '', `not valid YAML or JSON: ${e.message.split('\n')[0]}`)] };
    }
    if (doc.contents === null) {
        return { ok: false, errors: [at(0, '', 'the file is empty; an OpenAPI 3 document has openapi: 3.x and paths')] };
    }
    let value;
    try {
        value = doc.toJS();
    }
    catch (err) {
        // Alias bombs and the like: yaml refuses them while building values.
        return { ok: false, errors: [at(0, '', `cannot read the document: ${err.message}`)] };
    }
    const { endpoints, warnings, problems } = readOpenApi(value);
    if (problems.length > 0) {
        return {
            ok: false,
            errors: problems.map((p) => at(nodeAt(doc, p.path, p.atKey)?.range?.[0] ?? 0, openApiField(p.path), p.message)),
        };
    }
    return { ok: true, endpoints, warnings: warnings.map((w) => `${file}: ${w}`) };
}
//# sourceMappingURL=openapi.js.map