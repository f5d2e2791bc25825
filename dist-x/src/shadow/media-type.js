/** Content-Type as far as comparison cares: the media type and the charset, nothing else. */
/** WHATWG label → encoding name: `utf8`, `UTF-8` and `unicode-1-1-utf-8` are one charset. */
export function canonicalCharset(label) {
    const l = label.trim().toLowerCase();
    try {
        return new TextDecoder(l).encoding;
    }
    catch {
        return l;
    }
}
export function parseContentType(value) {
    if (value === undefined)
        return { media: '', charset: null };
    const [media = '', ...params] = value.split(';');
    let charset = null;
    for (const p of params) {
        const eq = p.indexOf('=');
        if (eq < 0 || p.slice(0, eq).trim().toLowerCase() !== 'charset')
            continue;
        charset = canonicalCharset(p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
    }
    return { media: media.trim().toLowerCase(), charset };
}
export function isJsonMedia(media) {
    return media === 'application/json' || media === 'text/json' || media.endsWith('+json');
}
const TEXT_APPLICATION = new Set([
    'application/javascript',
    'application/ecmascript',
    'application/x-javascript',
    'application/x-www-form-urlencoded',
    'application/x-ndjson',
    'application/ndjson',
    'application/graphql',
    'application/sql',
    'application/csv',
    'application/yaml',
    'application/x-yaml',
    'application/xml',
]);
export function isTextMedia(media) {
    return media.startsWith('text/') || isJsonMedia(media) || media.endsWith('+xml') || TEXT_APPLICATION.has(media);
}
/** Media types under which a body that looks like JSON is read as JSON: servers that never said what they send. */
export function mayBeSniffed(media) {
    return media === '' || media === 'text/plain' || media === 'application/octet-stream';
}
/**
 * What two Content-Type values are compared by. JSON is UTF-8 by definition
 * (RFC 8259), so `application/json` and `application/json; charset=utf-8`
 * are one; for other types a missing charset leaves the client guessing and
 * differs from an explicit one.
 */
export function contentTypeKey(value) {
    const ct = parseContentType(value);
    const charset = ct.charset ?? (isJsonMedia(ct.media) ? 'utf-8' : '');
    return `${ct.media};${charset}`;
}
//# sourceMappingURL=media-type.js.map