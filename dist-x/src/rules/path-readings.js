import { pathSegments } from './normalise-path.js';
/** A `.` or `..` segment, plain or percent-encoded. */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:[/?#]|$)/i;
/** What some servers decode or drop before routing. */
const LENIENT = /%2f|%5c|\\|;|%c0|%c1|%e0|%f0|%u/i;
const QUERY_OR_FRAGMENT = /[?#]/;
const SLASH_SPELLINGS = /%2f|%5c|\\/gi;
const SEGMENT_PARAMETERS = /;[^/]*/g;
/** Most paths hold nothing read differently: they share this, and nothing is allocated for them. */
const NONE = [];
/** Overlong UTF-8 (and IIS %u) spellings of `.`, `/` and `\`, which old decoders accept. */
const OVERLONG = [
    [/%c0%ae|%e0%80%ae|%f0%80%80%ae|%u002e/gi, '.'],
    [/%c0%af|%e0%80%af|%f0%80%80%af|%u002f|%u2215/gi, '/'],
    [/%c1%9c|%e0%81%9c|%f0%80%81%9c|%u005c/gi, '/'],
];
/** The path part of a raw target (no query, no fragment). */
function pathPart(rawPath) {
    const q = rawPath.search(QUERY_OR_FRAGMENT);
    return q === -1 ? rawPath : rawPath.slice(0, q);
}
/**
 * Encoded slashes and backslashes decoded to `/` (Django, Flask and older
 * Go decode `%2F`; IIS and some Java stacks take `\` for `/`), overlong
 * UTF-8 decoded, and `;parameters` dropped from each segment (Tomcat).
 */
function leniently(path) {
    let out = path.replace(SLASH_SPELLINGS, '/');
    for (const [re, ch] of OVERLONG)
        out = out.replace(re, ch);
    return out.replace(SEGMENT_PARAMETERS, '');
}
export function otherReadings(rawPath) {
    const path = pathPart(rawPath);
    const dotted = DOT_SEGMENT.test(path);
    const lenientSpelling = LENIENT.test(path);
    if (!dotted && !lenientSpelling)
        return NONE;
    const readings = [];
    if (dotted)
        readings.push({ how: 'with its dot segments left as they are', segments: pathSegments(path, false) });
    if (lenientSpelling) {
        const lenient = leniently(path);
        readings.push({ how: 'with encoded slashes, backslashes, overlong UTF-8 and ;parameters decoded', segments: pathSegments(lenient) });
        if (DOT_SEGMENT.test(lenient)) {
            readings.push({ how: 'with encoded slashes, backslashes, overlong UTF-8 and ;parameters decoded, and dot segments left as they are', segments: pathSegments(lenient, false) });
        }
    }
    return readings;
}
//# sourceMappingURL=path-readings.js.map