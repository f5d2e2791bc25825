import { decodeContent, decodeText, looksLikeText } from './body-decode.js';
import { matchesPath, parsePathPattern } from './json-path.js';
import { isJsonObject, parseJson, stringifyJson } from './json-value.js';
import { isJsonMedia, isTextMedia, mayBeSniffed, parseContentType } from './media-type.js';
/**
 * Samples as they may be stored: secrets replaced by `[redacted]` before
 * anything reaches the disk, bodies capped.
 *
 * Always redacted, whatever the route says:
 * - the values of Authorization, Proxy-Authorization, Cookie and Set-Cookie,
 *   and of headers named like a secret member (below);
 * - in JSON, form, multipart, XML and query data, members (fields, parts,
 *   elements, attributes) whose name ends in password, passwd, secret,
 *   token or api key (`password`, `newPassword`, `client_secret`,
 *   `accessToken`, `x-api-key`): a route that forgot to list its login
 *   payload should not leak it;
 * - credentials in an absolute-form URL (`http://user:password@host/`).
 * A route adds its own `redact` entries: JSON paths (`$.password`,
 * `$..ssn`), `header:<name>`, or a bare member name (`ssn`), which means the
 * member at any depth (`$..ssn`).
 */
export const REDACTED = '[redacted]';
export const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const SENSITIVE_MEMBER = /(?:password|passwd|secret|token|api[_-]?key)$/i;
export function isSensitiveMember(name) {
    return SENSITIVE_MEMBER.test(name);
}
const HEADER = 'header:';
function redactRules(paths) {
    const rules = { patterns: [], names: new Set(), loose: new Set(), headers: new Set() };
    for (const raw of paths) {
        const entry = raw.trim();
        if (entry.toLowerCase().startsWith(HEADER)) {
            rules.headers.add(entry.slice(HEADER.length).trim().toLowerCase());
            continue;
        }
        let pattern;
        try {
            pattern = parsePathPattern(entry.startsWith('$') ? entry : `$..${entry}`);
        }
        catch {
            // Not a path at all: still honoured as a member name wherever it appears.
            rules.names.add(entry);
            rules.loose.add(entry);
            continue;
        }
        rules.patterns.push(pattern);
        const last = pattern.steps[pattern.steps.length - 1];
        const step = last?.kind === 'descend' ? last.step : last;
        if (step?.kind === 'member')
            rules.names.add(step.name);
    }
    return rules;
}
/**
 * The four sensitive headers, those named like a secret member
 * (`X-Api-Key`, `X-Auth-Token`, `X-Client-Secret`: a credential header
 * the route forgot to list) and any `header:` entries of `paths`, with
 * their values replaced; names and order kept.
 */
export function redactHeaders(raw, paths = []) {
    const extra = paths.length ? redactRules(paths).headers : null;
    const out = [...raw];
    for (let i = 0; i + 1 < out.length; i += 2) {
        const name = out[i].toLowerCase();
        if (SENSITIVE_HEADERS.has(name) || isSensitiveMember(name) || extra?.has(name))
            out[i + 1] = REDACTED;
    }
    return out;
}
function memberRedacted(rules, path) {
    const last = path[path.length - 1];
    if (typeof last === 'string' && (isSensitiveMember(last) || rules.loose.has(last)))
        return true;
    return rules.patterns.some((p) => matchesPath(p, path));
}
/** Replaces, in place, every value the rules select; returns how many. */
function redactJson(value, rules, path) {
    let count = 0;
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            path.push(i);
            if (rules.patterns.some((p) => matchesPath(p, path))) {
                value[i] = REDACTED;
                count++;
            }
            else
                count += redactJson(value[i], rules, path);
            path.pop();
        }
    }
    else if (isJsonObject(value)) {
        for (const name of Object.keys(value)) {
            path.push(name);
            if (memberRedacted(rules, path)) {
                value[name] = REDACTED;
                count++;
            }
            else
                count += redactJson(value[name], rules, path);
            path.pop();
        }
    }
    return count;
}
/** Where the JSON-ish value starting at `i` ends: strings to their quote, objects and arrays to their bracket, or the end of a broken text. */
function valueEnd(text, i) {
    const first = text[i];
    if (first === '"') {
        let j = i + 1;
        while (j < text.length && text[j] !== '"')
            j += text[j] === '\\' ? 2 : 1;
        return Math.min(j + 1, text.length);
    }
    if (first === '{' || first === '[') {
        let depth = 0;
        for (let j = i; j < text.length; j++) {
            const c = text[j];
            if (c === '"')
                j = valueEnd(text, j) - 1;
            else if (c === '{' || c === '[')
                depth++;
            else if ((c === '}' || c === ']') && --depth === 0)
                return j + 1;
        }
        return text.length;
    }
    let j = i;
    while (j < text.length && !/[,}\]\s]/.test(text[j]))
        j++;
    return j;
}
/**
 * For JSON that does not parse: `"name": value` pairs found by scanning, a
 * selected value replaced whole (an object up to its closing bracket, or to
 * the end of a cut-off body), so a broken body leaks no more than a whole one.
 */
function redactJsonLikeText(text, rules) {
    const member = /"((?:[^"\\]|\\.)*)"\s*:\s*/g;
    let count = 0;
    let out = '';
    let copied = 0;
    for (let m = member.exec(text); m; m = member.exec(text)) {
        let name = m[1];
        try {
            name = JSON.parse(`"${name}"`);
        }
        catch {
            // keep the raw spelling
        }
        if (!isSensitiveMember(name) && !rules.names.has(name))
            continue;
        const start = m.index + m[0].length;
        const end = valueEnd(text, start);
        out += text.slice(copied, start) + `"${REDACTED}"`;
        copied = end;
        member.lastIndex = end;
        count++;
    }
    return { text: out + text.slice(copied), count };
}
function decodeFormPart(s) {
    try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
    }
    catch {
        return s;
    }
}
const sensitiveName = (name, rules) => isSensitiveMember(name) || rules.names.has(name);
/**
 * XML and HTML: the content of an element named like a secret
 * (`<password>…</password>`, `<wsse:Password>`, nested markup and CDATA
 * included) and attributes named like one (`apiKey="…"`). Local names
 * count, prefixes do not. Scanned, not parsed, so a broken document is
 * covered as far as it goes, and an element that is never closed is
 * redacted to the end.
 */
function redactMarkup(text, rules) {
    const open = /<([A-Za-z_][\w.:-]*)((?:\s+[^>]*?)?)(\/?)>/g;
    const attribute = /([A-Za-z_][\w.:-]*)(\s*=\s*)("[^"]*"|'[^']*')/g;
    const local = (name) => name.slice(name.lastIndexOf(':') + 1);
    let count = 0;
    let out = '';
    let copied = 0;
    for (let m = open.exec(text); m; m = open.exec(text)) {
        const [tag, name, attrs, selfClosing] = m;
        let rewritten = tag;
        if (attrs && /=/.test(attrs)) {
            const newAttrs = attrs.replace(attribute, (whole, attr, eq, value) => {
                if (!sensitiveName(local(attr), rules))
                    return whole;
                count++;
                return `${attr}${eq}${value[0]}${REDACTED}${value[0]}`;
            });
            rewritten = `<${name}${newAttrs}${selfClosing}>`;
        }
        if (!selfClosing && sensitiveName(local(name), rules)) {
            const close = text.indexOf(`</${name}`, open.lastIndex);
            const end = close === -1 ? text.length : close;
            out += text.slice(copied, m.index) + rewritten + REDACTED;
            copied = end;
            open.lastIndex = end;
            count++;
            continue;
        }
        if (rewritten !== tag) {
            out += text.slice(copied, m.index) + rewritten;
            copied = open.lastIndex;
        }
    }
    return { text: out + text.slice(copied), count };
}
/** Pairs and markup in a text of unknown structure: whatever looks like a named secret. */
function redactText(text, rules) {
    const pairs = redactJsonLikeText(text, rules);
    const markup = pairs.text.includes('<') ? redactMarkup(pairs.text, rules) : { text: pairs.text, count: 0 };
    return { text: markup.text, count: pairs.count + markup.count };
}
/**
 * `multipart/form-data`: a part whose name is a secret's has its content
 * replaced; text parts are redacted like text bodies. Worked on as
 * latin1, so binary parts (file uploads) keep their bytes.
 */
function redactMultipart(bytes, boundary, rules) {
    const text = bytes.toString('latin1');
    const delimiter = `--${boundary}`;
    let count = 0;
    const parts = text.split(delimiter).map((part, i) => {
        if (i === 0 || part.startsWith('--'))
            return part;
        const headEnd = part.indexOf('\r\n\r\n');
        if (headEnd === -1)
            return part;
        const head = part.slice(0, headEnd + 4);
        const body = part.slice(headEnd + 4);
        const name = /\bname="([^"]*)"/i.exec(head)?.[1] ?? /\bname=([^;\s]+)/i.exec(head)?.[1];
        if (name !== undefined && (sensitiveName(name, rules) || rules.patterns.some((p) => matchesPath(p, [name])))) {
            count++;
            // The CRLF before the next delimiter belongs to the delimiter.
            return head + REDACTED + (body.endsWith('\r\n') ? '\r\n' : '');
        }
        const content = Buffer.from(body, 'latin1');
        if (!looksLikeText(content))
            return part;
        const r = redactText(content.toString('utf8'), rules);
        count += r.count;
        return r.count ? head + Buffer.from(r.text, 'utf8').toString('latin1') : part;
    });
    return { bytes: Buffer.from(parts.join(delimiter), 'latin1'), count };
}
/** `a=1&password=x` → `a=1&password=[redacted]`, keeping the rest as written. */
function redactForm(text, rules) {
    let count = 0;
    const out = text
        .split('&')
        .map((part) => {
        const eq = part.indexOf('=');
        if (eq < 0)
            return part;
        const name = decodeFormPart(part.slice(0, eq));
        if (!isSensitiveMember(name) && !rules.names.has(name) && !rules.patterns.some((p) => matchesPath(p, [name])))
            return part;
        count++;
        return `${part.slice(0, eq)}=${REDACTED}`;
    })
        .join('&');
    return { text: out, count };
}
/**
 * A request URL with credentials in an absolute-form target
 * (`http://user:password@host/…`) and sensitive query parameters
 * (`?access_token=…`, and the route's names) redacted.
 */
export function redactUrl(raw, paths = []) {
    const url = raw.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, `$1${REDACTED}@`);
    const q = url.indexOf('?');
    if (q < 0)
        return url;
    const hash = url.indexOf('#', q);
    const end = hash < 0 ? url.length : hash;
    return url.slice(0, q + 1) + redactForm(url.slice(q + 1, end), redactRules(paths)).text + url.slice(end);
}
/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes, never splitting a character. */
function capText(text, maxBytes) {
    if (text.length <= maxBytes / 3)
        return { text, truncated: false };
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length <= maxBytes)
        return { text, truncated: false };
    let end = maxBytes;
    while (end > 0 && (bytes[end] & 0xc0) === 0x80)
        end--;
    return { text: bytes.subarray(0, end).toString('utf8'), truncated: true };
}
/**
 * A body as a stored sample holds it: Content-Encoding undone, the route's
 * paths and the always-sensitive members redacted (JSON re-serialised
 * compactly when something was replaced, kept as written otherwise), then
 * capped at `maxBytes`. Redaction comes before the cap, so a cut never lets
 * a secret through. A body that cannot be decoded is not stored at all.
 */
export function redactBody(body, contentType, paths, maxBytes = 65536, contentEncoding) {
    const decoded = decodeContent(body, contentEncoding);
    if (!decoded.ok) {
        return { body: `[${decoded.coding} body of ${body.length} bytes, not decoded: not stored]`, truncated: true, redacted: true, encoding: 'text' };
    }
    const bytes = decoded.body;
    const rules = redactRules(paths);
    const ct = parseContentType(contentType);
    const text = (t, count) => ({ ...cap(t), redacted: count > 0, encoding: 'text' });
    const cap = (t) => {
        const c = capText(t, maxBytes);
        return { body: c.text, truncated: c.truncated };
    };
    const declaredJson = isJsonMedia(ct.media);
    const sniffable = !declaredJson && mayBeSniffed(ct.media) && looksLikeText(bytes);
    const source = declaredJson || sniffable ? decodeText(bytes, ct.charset) : '';
    if (declaredJson || (sniffable && /^\s*[[{]/.test(source))) {
        const parsed = parseJson(source);
        if (parsed.ok) {
            if (rules.patterns.some((p) => matchesPath(p, [])))
                return text(JSON.stringify(REDACTED), 1);
            let count;
            try {
                count = redactJson(parsed.value, rules, []);
            }
            catch {
                // Too deep to walk: fall back to the textual redaction below.
                const r = redactJsonLikeText(source, rules);
                return text(r.text, r.count);
            }
            return text(count > 0 ? stringifyJson(parsed.value) : source, count);
        }
        const r = redactJsonLikeText(source, rules);
        return text(r.text, r.count);
    }
    if (ct.media === 'application/x-www-form-urlencoded') {
        const r = redactForm(decodeText(bytes, ct.charset), rules);
        return text(r.text, r.count);
    }
    let stored = bytes;
    let count = 0;
    const boundary = ct.media.startsWith('multipart/') ? /;\s*boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1] : undefined;
    if (boundary)
        ({ bytes: stored, count } = redactMultipart(bytes, boundary, rules));
    if (isTextMedia(ct.media) || ((ct.media === '' || boundary) && looksLikeText(stored))) {
        // Text may still carry JSON-looking pairs (logs, JSON sent as text/plain) or markup (XML, SOAP); redact those too.
        const r = redactText(boundary ? stored.toString('utf8') : decodeText(stored, ct.charset), rules);
        return text(r.text, count + r.count);
    }
    const room = Math.floor(maxBytes / 4) * 3;
    return { body: stored.subarray(0, room).toString('base64'), truncated: stored.length > room, redacted: count > 0, encoding: 'base64' };
}
//# sourceMappingURL=redact.js.map