import { z } from 'zod';
import { fieldPath } from '../rules/load.js';
import { MODES } from '../rules/schema.js';
/**
 * Bodies of the admin API's commands other than a rule table (which is
 * checked by the rule file's own schema). Strict like the file: a
 * misspelt `forse: true` is an error, not a silent unforced request.
 */
const reason = z
    .string({ message: 'say why: reason is text' })
    .refine((v) => v.trim() !== '', { message: 'say why: reason is required' });
const force = z.boolean({ message: 'force is true or false' });
export const ModeChangeBody = z.strictObject({
    mode: z.enum(MODES, { message: `mode is one of ${MODES.join(', ')}` }),
    percent: z
        .number({ message: 'percent is a number from 0 to 100' })
        .min(0, { message: 'percent is a number from 0 to 100' })
        .max(100, { message: 'percent is a number from 0 to 100' })
        .optional(),
    reason,
    force: force.optional(),
}, { message: 'expected a JSON object: { mode, percent?, reason, force? }' });
export const RestoreBody = z.strictObject({
    reason: z.string({ message: 'reason is text' }).optional(),
    force: force.optional(),
}, { message: 'expected a JSON object: { reason?, force? }' });
export const IgnorePathBody = z.strictObject({
    path: z
        .string({ message: 'path is the difference path to ignore, such as $.createdAt or header:x-request-id' })
        .min(1, { message: 'path is the difference path to ignore, such as $.createdAt or header:x-request-id' })
        .max(500, { message: 'path is at most 500 characters' }),
    reason,
}, { message: 'expected a JSON object: { path, reason }' });
/** A parsed body, or `{ path, message }` issues in the rule file's style. */
export function parseBody(schema, body) {
    // No body, or one sent without a JSON content type, reads as {}: the schema then names what is missing.
    const parsed = schema.safeParse(body ?? {});
    if (parsed.success)
        return { ok: true, value: parsed.data };
    return {
        ok: false,
        issues: parsed.error.issues.flatMap((i) => i.code === 'unrecognized_keys'
            ? i.keys.map((k) => ({ path: fieldPath([...i.path, k]), message: `unknown field "${k}"` }))
            : [{ path: fieldPath(i.path), message: i.message }]),
    };
}
//# sourceMappingURL=request-bodies.js.map