/**
 * Whether one path segment looks like a value (an id, a date, a token) rather
 * than a name in the API's vocabulary. A wrong "value" merges two endpoints
 * that a team migrates separately; a wrong "literal" only costs a few rows
 * until the per-parent cardinality rule in the learner catches it. So every
 * rule below leans towards literal when unsure.
 */
// An integer is the most common id there is; leading zeros (`007`) are still ids.
const INTEGER = /^\d+$/;
// RFC 4122 layout, any version; case varies between stacks.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// ISO 8601 calendar dates, optionally with a time; the time part is what
// reports and audit logs put in paths.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
// The compact form; checked for a real month and day so that an 8-digit id
// like 12345678 stays an {id} rather than a {date}.
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
// Single-case hex only: commit SHAs, Mongo ObjectIds and digests are written
// in one case, while a mixed-case word made of a–f letters is not an id.
// Eight characters keeps `cafe`, `decade` and `2fa`-style names literal.
const HEX = /^(?:[0-9a-f]{8,}|[0-9A-F]{8,})$/;
// Addresses appear raw or with the @ percent-encoded (it is not unreserved,
// so normalisation keeps `%40`).
const EMAIL = /^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)*\.[A-Za-z]{2,}$/;
// A JWT: three base64url parts, the header always starts with `{"` = `eyJ`.
const JWT = /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
// base64 / base64url alphabets, padding only at the end.
const BASE64ISH = /^[A-Za-z0-9_+-]+={0,2}$/;
// One piece of a name: a capitalised or lower-case word (2+ lower-case
// letters), an acronym, or a number. `ProductCatalogV2Items`,
// `oauth2-callback` and `iphone-15-pro-256gb` are made of these; random
// tokens almost never are, because they scatter single lower-case letters.
// Each run must be maximal (the lookaheads) so there is one way to split a
// piece: the match stays linear on a hostile ten-kilobyte segment.
const WORDS = /^(?:[A-Z]?[a-z]{2,}(?![a-z])|[A-Z]+(?=[A-Z][a-z]|\d|$)|\d+(?!\d))+$/;
const TOKEN_MIN_LENGTH = 16;
function validDate(y, m, d) {
    const year = Number(y);
    const month = Number(m);
    const day = Number(d);
    return year >= 1900 && year <= 2199 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}
/** Changes between lower-case, upper-case and digit inside one piece: high for random text. */
function classChanges(piece) {
    let changes = 0;
    let last = -1;
    for (let i = 0; i < piece.length; i++) {
        const c = piece.charCodeAt(i);
        const cls = c >= 0x30 && c <= 0x39 ? 0 : c >= 0x41 && c <= 0x5a ? 1 : c >= 0x61 && c <= 0x7a ? 2 : -1;
        if (cls === -1)
            continue;
        if (last !== -1 && cls !== last)
            changes++;
        last = cls;
    }
    return changes;
}
function looksLikeToken(seg) {
    if (seg.length < TOKEN_MIN_LENGTH || !BASE64ISH.test(seg))
        return false;
    // "A mix of letters and digits": an all-letter segment this long is a
    // word or a slug far more often than a token.
    if (!/[0-9]/.test(seg) || !/[A-Za-z]/.test(seg))
        return false;
    const pieces = seg.replace(/=+$/, '').split(/[-_+]/).filter((p) => p !== '');
    // Slugs and CamelCase names are words all the way through; a token has at
    // least one piece that is not (the lower-case-free ULID included).
    if (pieces.every((p) => /[a-z]/.test(p) && WORDS.test(p)))
        return false;
    const alnum = pieces.reduce((n, p) => n + p.length, 0);
    const changes = pieces.reduce((n, p) => n + classChanges(p), 0);
    // Random base62/base32 text changes class on roughly every second or third
    // character; `HTTP2SERVERPUSHCONFIG` changes twice in twenty.
    return changes >= 4 && changes * 4 >= alnum;
}
/**
 * The parameter name (`{id}`, `{uuid}`, `{date}`, `{hex}`, `{email}`,
 * `{token}`) for a segment that looks like a value, or null for a literal.
 */
export function classifySegment(seg) {
    if (seg === '')
        return null;
    const iso = ISO_DATE.exec(seg);
    if (iso && validDate(iso[1], iso[2], iso[3]))
        return '{date}';
    const compact = COMPACT_DATE.exec(seg);
    if (compact && validDate(compact[1], compact[2], compact[3]))
        return '{date}';
    if (INTEGER.test(seg))
        return '{id}';
    if (UUID.test(seg))
        return '{uuid}';
    // Needs a digit: an all-letter `deadbeef` or `effacedbed` reads as a word, not a digest.
    if (HEX.test(seg) && /[0-9]/.test(seg))
        return '{hex}';
    if (EMAIL.test(seg.replace(/%40/g, '@')))
        return '{email}';
    if (JWT.test(seg))
        return '{token}';
    if (looksLikeToken(seg))
        return '{token}';
    return null;
}
//# sourceMappingURL=segment-kind.js.map