import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
/**
 * Undoing Content-Encoding, for the comparison only: a gzip answer and an
 * identity answer with the same bytes underneath are the same answer.
 * Bodies are already in memory; decompression is synchronous and bounded,
 * so a small compressed body cannot expand without limit.
 */
/** Decoded bodies larger than this are not compared (too-large). */
export const MAX_DECODED_BYTES = 32 * 1024 * 1024;
/** Codings in the order they were applied, `identity` left out. */
export function contentCodings(contentEncoding) {
    if (!contentEncoding)
        return [];
    return contentEncoding
        .split(',')
        .map((c) => c.trim().toLowerCase())
        .filter((c) => c !== '' && c !== 'identity');
}
function decodeOne(body, coding, maxOutputLength) {
    switch (coding) {
        case 'gzip':
        case 'x-gzip':
            return gunzipSync(body, { maxOutputLength });
        case 'deflate':
            // "deflate" is meant to be zlib-wrapped, but enough servers send raw deflate that both are read.
            try {
                return inflateSync(body, { maxOutputLength });
            }
            catch (err) {
                if (err.code === 'ERR_BUFFER_TOO_LARGE')
                    throw err;
                return inflateRawSync(body, { maxOutputLength });
            }
        case 'br':
            return brotliDecompressSync(body, { maxOutputLength });
        default:
            return null;
    }
}
export function decodeContent(body, contentEncoding, maxBytes = MAX_DECODED_BYTES) {
    // HEAD, 204 and 304 answers carry the header of a body they do not send.
    if (body.length === 0)
        return { ok: true, body };
    let out = body;
    for (const coding of contentCodings(contentEncoding).reverse()) {
        try {
            const next = decodeOne(out, coding, maxBytes);
            if (next === null)
                return { ok: false, reason: 'unsupported', coding, message: `content-encoding ${coding} is not supported` };
            out = next;
        }
        catch (err) {
            const e = err;
            if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
                return { ok: false, reason: 'too-large', coding, message: `${coding} body decodes to more than ${maxBytes} bytes` };
            }
            return { ok: false, reason: 'corrupt', coding, message: `${coding} body does not decode: ${e.message}` };
        }
    }
    return { ok: true, body: out };
}
/** Bytes → text in the declared charset (UTF-8 when none or unknown); a byte-order mark is dropped. */
export function decodeText(body, charset) {
    let decoder;
    try {
        decoder = new TextDecoder(charset ?? 'utf-8');
    }
    catch {
        decoder = new TextDecoder('utf-8');
    }
    return decoder.decode(body);
}
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
/** Undeclared bodies: valid UTF-8 without control characters (other than tab, line breaks, form feed, escape) reads as text. */
export function looksLikeText(body) {
    try {
        STRICT_UTF8.decode(body);
    }
    catch {
        return false;
    }
    for (const c of body) {
        if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c && c !== 0x1b)
            return false;
        if (c === 0x7f)
            return false;
    }
    return true;
}
//# sourceMappingURL=body-decode.js.map