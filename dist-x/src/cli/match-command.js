import { compileTable } from '../rules/compile.js';
import { BUCKETS, bucketOf, inCanary, stickyKey } from '../router/canary.js';
import { ambiguousPath } from '../router/refusal.js';
import { normalisePath } from '../rules/normalise-path.js';
import { RequestView } from '../rules/request-view.js';
/** `strangler match`: which route claims a request, and the candidates passed over on the way. */
export function explainMatch(rules, q) {
    const table = compileTable(rules);
    const headers = {};
    for (const [k, v] of Object.entries(q.headers ?? {}))
        headers[k.toLowerCase()] = v;
    if (q.host)
        headers.host = q.host;
    if (q.cookies && Object.keys(q.cookies).length) {
        headers.cookie = Object.entries(q.cookies)
            .map(([k, v]) => `${k}=${v}`)
            .join('; ');
    }
    const view = new RequestView(q.method.toUpperCase(), q.url, headers, q.ip ?? '127.0.0.1');
    const { result, candidates } = table.explain(view);
    const lines = [];
    lines.push(`${view.method} ${q.url}`);
    lines.push(`  normalised path: ${normalisePath(view.rawPath)}`);
    for (const c of candidates) {
        lines.push(c.failed ? `  passed over ${c.route} (${c.pattern}): ${c.failed}` : `  matched ${c.route} (${c.pattern})`);
    }
    const misread = table.misreading(view, result);
    if (misread) {
        lines.push(`→ refused with 400 (ambiguous-path): ${ambiguousPath(view.rawPath, result?.route.name ?? null, misread).message}`);
        return lines.join('\n');
    }
    if (!result) {
        lines.push(`→ no route claims it: legacy answers`);
        return lines.join('\n');
    }
    const spec = result.route.spec;
    const params = Object.entries(result.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
    lines.push(`→ route ${spec.name}, mode ${spec.mode}${params ? `, params ${params}` : ''}`);
    const target = spec.service ?? 'legacy';
    switch (spec.mode) {
        case 'legacy':
            lines.push('  legacy answers');
            break;
        case 'shadow':
            lines.push(`  legacy answers; service ${target} gets a copy`);
            break;
        case 'canary': {
            const percent = spec.canary?.percent ?? 0;
            const stickyBy = spec.canary?.stickyBy;
            lines.push(`  ${percent}% to service ${target} by ${stickyBy ?? 'a per-request draw'}, the rest to legacy`);
            // The --cookie, -H and --ip options exist to answer this: which side does this user land on?
            const key = stickyKey(stickyBy, view);
            if (stickyBy && key === undefined)
                lines.push(`  this request has no ${keyName(stickyBy)}: a per-request draw decides`);
            else if (key !== undefined) {
                const side = inCanary(spec.name, percent, stickyBy, view) ? `service ${target}` : 'legacy';
                lines.push(`  ${stickyBy} "${key}" is in bucket ${bucketOf(spec.name, key)} of ${BUCKETS} → ${side} answers`);
            }
            break;
        }
        default:
            lines.push(`  service ${target} answers${spec.fallback && spec.mode === 'service' ? '; legacy is the fallback for idempotent requests' : ''}`);
    }
    return lines.join('\n');
}
/** `cookie:uid` → `uid cookie`, `header:X-User` → `X-User header`, `ip` → `client address`. */
function keyName(stickyBy) {
    const colon = stickyBy.indexOf(':');
    return colon === -1 ? 'client address' : `${stickyBy.slice(colon + 1)} ${stickyBy.slice(0, colon)}`;
}
//# sourceMappingURL=match-command.js.map