import { decodeContent, decodeText, looksLikeText, MAX_DECODED_BYTES } from './body-decode.js';
import { headerValue } from './header-diff.js';
import { jsonDifferences } from './json-diff.js';
import { parseJson } from './json-value.js';
import { isJsonMedia, isTextMedia, mayBeSniffed, parseContentType } from './media-type.js';
import { MAX_EDIT_LINES, textChange } from './text-diff.js';
function startsLikeJson(body) {
    let i = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
    while (i < body.length && (body[i] === 0x20 || body[i] === 0x09 || body[i] === 0x0a || body[i] === 0x0d))
        i++;
    return body[i] === 0x7b || body[i] === 0x5b; // { or [
}
function readBody(body, contentType) {
    if (body.length === 0)
        return { kind: 'empty' };
    const ct = parseContentType(contentType);
    const declared = isJsonMedia(ct.media);
    if (declared || (mayBeSniffed(ct.media) && startsLikeJson(body))) {
        const text = decodeText(body, ct.charset);
        const parsed = parseJson(text);
        if (parsed.ok)
            return { kind: 'json', value: parsed.value };
        if (declared)
            return { kind: 'broken-json', text };
    }
    if (isTextMedia(ct.media) || (ct.media === '' && looksLikeText(body)))
        return { kind: 'text', text: decodeText(body, ct.charset) };
    return { kind: 'binary' };
}
export function bodyDifferences(legacy, other, rules, options = {}) {
    const encA = headerValue(legacy.headers, 'content-encoding');
    const encB = headerValue(other.headers, 'content-encoding');
    const max = options.maxDecodedBytes ?? MAX_DECODED_BYTES;
    const a = decodeContent(legacy.body, encA, max);
    const b = decodeContent(other.body, encB, max);
    if (!a.ok || !b.ok) {
        // The same bytes under the same coding are the same answer, even a coding this proxy cannot undo.
        if (encA?.trim().toLowerCase() === encB?.trim().toLowerCase() && legacy.body.equals(other.body))
            return { differences: [] };
        const failed = !a.ok ? a : !b.ok ? b : null;
        return { failure: failed.reason === 'too-large' ? 'too-large' : 'unparseable', detail: `${!a.ok ? 'legacy' : 'other'}: ${failed.message}` };
    }
    if (a.body.equals(b.body))
        return { differences: [] };
    const x = readBody(a.body, headerValue(legacy.headers, 'content-type'));
    const y = readBody(b.body, headerValue(other.headers, 'content-type'));
    if (x.kind === 'empty')
        return { differences: [{ path: 'body', kind: 'extra' }] };
    if (y.kind === 'empty')
        return { differences: [{ path: 'body', kind: 'missing' }] };
    if (x.kind === 'json' && y.kind === 'json') {
        try {
            return { differences: jsonDifferences(x.value, y.value, rules) };
        }
        catch (err) {
            // Nesting deep enough to exhaust the stack: the documents differ (their bytes do), where is not known.
            if (err instanceof RangeError)
                return { differences: [{ path: '$', kind: 'changed' }] };
            throw err;
        }
    }
    if ((x.kind === 'broken-json' && y.kind === 'json') || (x.kind === 'json' && y.kind === 'broken-json')) {
        return { failure: 'unparseable', detail: `${x.kind === 'broken-json' ? 'legacy' : 'other'} declares JSON that does not parse` };
    }
    const textOf = (r) => (r.kind === 'text' || r.kind === 'broken-json' ? r.text : null);
    const tx = textOf(x);
    const ty = textOf(y);
    if (tx !== null && ty !== null) {
        const change = textChange(tx, ty, options.maxEditLines ?? MAX_EDIT_LINES);
        return { differences: change ? [{ path: 'body', kind: change.kind }] : [] };
    }
    if (x.kind !== y.kind)
        return { differences: [{ path: 'body', kind: 'type' }] };
    return { differences: [{ path: 'body', kind: 'changed' }] };
}
//# sourceMappingURL=body-diff.js.map