import { z } from 'zod';
import { compareRulesProblems } from '../shadow/compare-rules.js';
import { parseListen } from './listen-address.js';
import { ownAddressesOf, targetsOnOwnAddresses } from './own-addresses.js';
import { parsePattern } from './path-pattern.js';
/**
 * The rule file, as one schema. The TypeScript types below and every
 * validation message a user sees come from here, so a field documented in
 * the README is a field checked here.
 */
/** More data-plane processes than this is a typo, not a machine. */
export const MAX_WORKERS = 256;
// One message whichever branch of the union zod reports: the user needs the whole rule.
const WORKERS_MESSAGE = `workers is a whole number from 1 to ${MAX_WORKERS}, or auto for one per core`;
export const MODES = ['legacy', 'shadow', 'canary', 'service', 'retired'];
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Values compared with a request's must not hold a line break: they could never match, and read like an injection.
const noCrlf = (what) => z.string().refine((v) => !/[\r\n\0]/.test(v), { message: `${what} must not contain CR, LF or NUL` });
// Values sent in a forwarded header: no line break to smuggle one, and nothing the HTTP client refuses at
// each request (other control characters, characters past U+00FF), which would make every forward fail.
const headerValue = (what) => z.string().refine((v) => /^[\t\x20-\x7e\x80-\xff]*$/.test(v), {
    message: `${what} must not contain CR, LF or NUL, nor other control characters or characters past U+00FF: it is sent in a request header`,
});
// `${VAR}` substitution yields text; a number written through it, as in `timeoutMs: ${T}`, is still a number.
const numeric = (schema) => z.preprocess((v) => (typeof v === 'string' && /^\s*-?[0-9]+(\.[0-9]+)?\s*$/.test(v) ? Number(v) : v), schema);
/** HOST:PORT; a bare port written unquoted in YAML arrives as a number and means the same. */
const listenAddress = (message) => z.preprocess((v) => (typeof v === 'number' ? String(v) : v), z.string({ message }).regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)?:?\d{1,5}$/, { message }));
/** Whether two listen addresses would take the same port (port 0 picks a free one each time, so never). */
function sameAddress(a, b) {
    let x;
    let y;
    try {
        x = parseListen(a);
        y = parseListen(b);
    }
    catch {
        return false;
    }
    if (x.port === 0 || x.port !== y.port)
        return false;
    const any = (h) => h === '0.0.0.0' || h === '::';
    return x.host === y.host || any(x.host) || any(y.host);
}
const httpUrl = z
    .string({ message: 'expected a URL such as http://127.0.0.1:3000' })
    // The URL parser drops CR, LF and tab without a word: a URL holding them is refused, not silently changed.
    .refine((v) => !/[\x00-\x20\x7f]/.test(v), { message: 'a URL has no spaces, CR, LF, tab or other control characters; percent-encode them' })
    .refine((v) => {
    try {
        const u = new URL(v);
        return (u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash && !u.username;
    }
    catch {
        return false;
    }
}, { message: 'expected an http:// or https:// URL without query, fragment or credentials, such as http://127.0.0.1:3000' });
export const TargetSchema = z.union([
    httpUrl,
    z.strictObject({
        url: httpUrl,
        /** Time to wait for response headers, and between body chunks. */
        timeoutMs: numeric(z.number().int().positive().max(3_600_000)).optional(),
        /** `keep` (default) forwards the client's Host; `target` sends the target's; anything else is sent as is. */
        hostHeader: headerValue('hostHeader').optional(),
        /** Most keep-alive connections to this target. */
        connections: numeric(z.number().int().positive().max(10_000)).optional(),
    }),
], { message: 'expected a URL string, or { url, timeoutMs?, hostHeader?, connections? }' });
const exactValues = (what) => z.record(z.string().min(1), noCrlf(what));
export const MatchSchema = z.strictObject({
    path: z
        .string({ message: 'match.path is required, for example /api/orders/{id} or /api/users/**' })
        .startsWith('/', { message: 'a path pattern starts with /' }),
    methods: z
        .array(z.string().regex(HTTP_TOKEN, { message: 'a method is an HTTP token such as GET' }))
        .min(1, { message: 'methods, when present, lists at least one method; leave it out to match all' })
        .optional(),
    host: z.string().min(1).optional(),
    headers: exactValues('a header value').optional(),
    query: exactValues('a query value').optional(),
    cookies: exactValues('a cookie value').optional(),
});
export const CanarySchema = z.strictObject({
    percent: numeric(z.number().min(0, { message: 'percent is between 0 and 100' }).max(100, { message: 'percent is between 0 and 100' })),
    stickyBy: z
        .string()
        .regex(/^(cookie:[^\s;=]+|header:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|ip)$/, {
        message: 'stickyBy is cookie:NAME, header:NAME or ip',
    })
        .optional(),
});
const guardFields = {
    minSamples: numeric(z.number().int().min(0)),
    minMatchRate: numeric(z.number().min(0).max(100)),
};
/** Evidence a route needs before it leaves shadow for canary or service. */
export const GuardSchema = z.strictObject({
    minSamples: guardFields.minSamples.default(200),
    minMatchRate: guardFields.minMatchRate.default(99.0),
});
/** How shadow answers are compared. Paths are JSONPath-like: `$.a.b`, `$.items[*].id`, `$..ssn`, or `header:name`. */
export const CompareSchema = z.strictObject({
    ignore: z.array(z.string().min(1)).default([]),
    /** Arrays compared as multisets. */
    unordered: z.array(z.string().min(1)).default([]),
    /** Array elements matched by a key member, not by index: `{ "$.items": "id" }`. */
    keyedArrays: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Numbers equal within an absolute tolerance: `{ "$.price": 0.001 }`. */
    tolerance: z.record(z.string().min(1), z.number().nonnegative()).default({}),
});
export const ShadowSchema = z.strictObject({
    /** Share of matching requests copied to the other side. */
    percent: numeric(z.number().min(0).max(100)).default(100),
    /** Budget per route; over it, a copy is skipped and counted as dropped-budget. */
    maxPerSecond: numeric(z.number().positive()).default(200),
    /** Copy POST, PUT, PATCH and DELETE too. Off by default: a copy of a write is a second write. */
    unsafe: z.boolean().default(false),
    /** Share of shadowed idempotent requests also sent a second time to legacy, to measure noise. */
    noisePercent: numeric(z.number().min(0).max(100)).default(10),
    timeoutMs: numeric(z.number().int().positive().max(600_000)).default(5000),
    /** Larger request or response bodies are not compared (too-large). */
    maxBodyBytes: numeric(z.number().int().positive().max(64 * 1024 * 1024)).default(1024 * 1024),
    compare: CompareSchema.default({ ignore: [], unordered: [], keyedArrays: {}, tolerance: {} }),
    /** JSON paths whose values are replaced by [redacted] in stored samples. */
    redact: z.array(z.string().min(1)).default([]),
    /** On canary and service routes: keep comparing the other way, legacy getting the copy. */
    against: z.literal('legacy', { message: 'against can only be "legacy"' }).optional(),
});
/** When a difference group is a regression rather than noise (see the README). */
export const VerdictSchema = z.strictObject({
    /** (r−n)/(r+n) must exceed this share, in percent. */
    minExcessRatio: numeric(z.number().min(0).max(100)).default(20),
    /** (r−n)/T must exceed this share of compared requests, in percent. */
    minExcessShare: numeric(z.number().min(0).max(100)).default(0.03),
    /** Fewer compared requests than this: the verdict is unknown. */
    minCompared: numeric(z.number().int().min(1)).default(30),
});
/** A route's own guard: only the fields it sets; the others come from the global guard, not from defaults. */
const RouteGuardSchema = z.strictObject({
    minSamples: guardFields.minSamples.optional(),
    minMatchRate: guardFields.minMatchRate.optional(),
});
export const RouteSchema = z.strictObject({
    name: z
        .string({ message: 'every route has a name' })
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'a route name is letters, digits, ".", "_" or "-", starting with a letter or digit' }),
    match: MatchSchema,
    mode: z.enum(MODES, { message: `mode is one of ${MODES.join(', ')}` }).default('legacy'),
    service: z.string().optional(),
    fallback: z.literal('legacy', { message: 'fallback can only be "legacy"' }).optional(),
    /** Let PUT and DELETE fall back too; they are idempotent by RFC 9110 but not always in practice. */
    fallbackUnsafe: z.boolean().optional(),
    canary: CanarySchema.optional(),
    shadow: ShadowSchema.optional(),
    guard: RouteGuardSchema.optional(),
});
export const CLIENT_TIMEOUT_DEFAULTS = { headersMs: 30_000, requestMs: 300_000, keepAliveMs: 5_000 };
export const ClientTimeoutsSchema = z.strictObject({
    /** From the connection (or the end of the previous request) to the end of the request's headers. Over it: 408, connection closed. */
    headersMs: numeric(z.number().int().min(100).max(3_600_000)).default(CLIENT_TIMEOUT_DEFAULTS.headersMs),
    /** The whole request, headers and body, as the client sends it. Over it: 408, connection closed. */
    requestMs: numeric(z.number().int().min(100).max(3_600_000)).default(CLIENT_TIMEOUT_DEFAULTS.requestMs),
    /** How long an idle keep-alive connection is kept open. */
    keepAliveMs: numeric(z.number().int().min(100).max(3_600_000)).default(CLIENT_TIMEOUT_DEFAULTS.keepAliveMs),
});
export const ForwardedSchema = z.enum(['append', 'replace', 'off'], {
    message: 'forwarded is append, replace or off',
});
export const RuleFileSchema = z
    .strictObject({
    listen: listenAddress('listen is HOST:PORT, such as 127.0.0.1:8080').default('127.0.0.1:8080'),
    legacy: TargetSchema,
    services: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/), TargetSchema).default({}),
    /** How X-Forwarded-For/-Proto/-Host are written to upstreams. */
    forwarded: ForwardedSchema.default('append'),
    /** The Via entry added to forwarded requests (RFC 9110 §7.6.3); false to leave Via alone. */
    via: z.union([headerValue('via'), z.literal(false)]).default('1.1 strangler'),
    routes: z.array(RouteSchema).default([]),
    /** Global promotion guard; a route's own guard fields win. */
    guard: GuardSchema.default({ minSamples: 200, minMatchRate: 99.0 }),
    verdict: VerdictSchema.default({ minExcessRatio: 20, minExcessShare: 0.03, minCompared: 30 }),
    /** The ledger's SQLite file; its folder is created if missing. */
    database: z.string().min(1).default('./strangler.db'),
    admin: z
        .strictObject({
        listen: listenAddress('admin.listen is HOST:PORT, such as 127.0.0.1:8081').default('127.0.0.1:8081'),
        /** Bearer token for /api; when absent one is generated, stored in the database and printed once. */
        token: z
            .string()
            .min(16, { message: 'admin.token is at least 16 characters; leave it out to have one generated' })
            .regex(/^\S+$/, { message: 'admin.token has no white space: it travels in an Authorization: Bearer header' })
            .optional(),
    })
        .default({ listen: '127.0.0.1:8081' }),
    /**
     * Data-plane processes. Absent or 1: one process, no cluster. `auto`: one per core.
     * A process setting like listen: it takes effect at the next start.
     */
    workers: z
        .union([
        z.literal('auto', { message: WORKERS_MESSAGE }),
        numeric(z.number({ message: WORKERS_MESSAGE }).int({ message: WORKERS_MESSAGE }).min(1, { message: WORKERS_MESSAGE }).max(MAX_WORKERS, { message: WORKERS_MESSAGE })),
    ])
        .optional(),
    retention: z
        .strictObject({
        days: numeric(z.number().positive()).default(14),
        maxMb: numeric(z.number().positive()).default(1024),
    })
        .default({ days: 14, maxMb: 1024 }),
    /** How long a client may take on the data plane: slow clients (slowloris) must not hold connections forever. */
    clientTimeouts: ClientTimeoutsSchema.default(CLIENT_TIMEOUT_DEFAULTS),
})
    .superRefine((file, ctx) => {
    if (file.clientTimeouts.headersMs > file.clientTimeouts.requestMs) {
        ctx.addIssue({ code: 'custom', path: ['clientTimeouts', 'headersMs'], message: 'clientTimeouts.headersMs is at most requestMs: the headers are part of the request' });
    }
    if (sameAddress(file.admin.listen, file.listen)) {
        ctx.addIssue({ code: 'custom', path: ['admin', 'listen'], message: 'admin.listen must differ from listen: the admin API never shares the data-plane port' });
    }
    for (const issue of targetsOnOwnAddresses(file, ownAddressesOf(file)))
        ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
    if ('legacy' in file.services) {
        ctx.addIssue({ code: 'custom', path: ['services', 'legacy'], message: '"legacy" names the monolith; give the service another name' });
    }
    const seen = new Map();
    file.routes.forEach((route, i) => {
        const first = seen.get(route.name);
        if (first !== undefined) {
            ctx.addIssue({
                code: 'custom',
                path: ['routes', i, 'name'],
                message: `route name "${route.name}" is already used by routes[${first}]; names are unique`,
            });
        }
        else
            seen.set(route.name, i);
        if (route.shadow) {
            for (const p of compareRulesProblems(route.shadow.compare)) {
                // `ignore[2]` → ['ignore', 2]; `keyedArrays.$.items` → ['keyedArrays', '$.items'].
                const m = /^(\w+)(?:\[(\d+)\]|\.(.*))$/.exec(p.field);
                const sub = m ? [m[1], m[2] !== undefined ? Number(m[2]) : m[3]] : [p.field];
                ctx.addIssue({ code: 'custom', path: ['routes', i, 'shadow', 'compare', ...sub], message: p.message });
            }
            if (route.shadow.against === 'legacy' && route.mode === 'shadow') {
                ctx.addIssue({ code: 'custom', path: ['routes', i, 'shadow', 'against'], message: 'against: legacy is for canary and service routes; a shadow route already copies to its service' });
            }
        }
        const pattern = parsePattern(route.match.path);
        if (!pattern.ok)
            ctx.addIssue({ code: 'custom', path: ['routes', i, 'match', 'path'], message: pattern.message });
        const needsService = route.mode === 'canary' || route.mode === 'service' || route.mode === 'retired' || route.mode === 'shadow';
        if (needsService && !route.service) {
            ctx.addIssue({ code: 'custom', path: ['routes', i, 'service'], message: `mode ${route.mode} needs a service: name one of the services` });
        }
        if (route.service !== undefined && !(route.service in file.services)) {
            const known = Object.keys(file.services);
            ctx.addIssue({
                code: 'custom',
                path: ['routes', i, 'service'],
                message: `service "${route.service}" is not defined under services${known.length ? ` (known: ${known.join(', ')})` : ''}`,
            });
        }
        if (route.mode === 'canary' && !route.canary) {
            ctx.addIssue({ code: 'custom', path: ['routes', i, 'canary'], message: 'mode canary needs canary: { percent, stickyBy }' });
        }
        if (route.fallbackUnsafe && !route.fallback) {
            ctx.addIssue({ code: 'custom', path: ['routes', i, 'fallbackUnsafe'], message: 'fallbackUnsafe only makes sense with fallback: legacy' });
        }
    });
});
//# sourceMappingURL=schema.js.map