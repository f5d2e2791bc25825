import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { getMeta, setMeta } from '../store/meta.js';
/**
 * The admin token. Only its SHA-256 is stored; a generated token is shown
 * once, at the start that generated it. Comparing digests of equal length
 * with timingSafeEqual leaks neither the token nor its length.
 */
const KEY = 'admin_token_sha256';
export const digest = (token) => createHash('sha256').update(token, 'utf8').digest();
export function resolveAdminToken(db, configured) {
    let generated = null;
    let expected;
    if (configured) {
        expected = digest(configured);
    }
    else {
        const stored = getMeta(db, KEY);
        if (stored)
            expected = Buffer.from(stored, 'hex');
        else {
            generated = randomBytes(24).toString('base64url');
            expected = digest(generated);
            setMeta(db, KEY, expected.toString('hex'));
        }
    }
    return { generated, verify: (given) => timingSafeEqual(digest(given), expected) };
}
/** The token from `Authorization: Bearer …`, or null. */
export function bearer(header) {
    if (!header)
        return null;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : null;
}
//# sourceMappingURL=token.js.map