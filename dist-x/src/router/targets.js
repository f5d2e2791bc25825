import { Pool } from 'undici';
/**
 * Runtime targets: the rule file's legacy and services, each with a
 * keep-alive pool. Pools outlive rule reloads when the origin and its
 * settings are unchanged, so a reload does not drop warm connections.
 */
export const LEGACY = 'legacy';
export const DEFAULT_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;
function specObject(spec) {
    return typeof spec === 'string' ? { url: spec } : spec;
}
export class TargetPools {
    pools = new Map();
    /** Builds the targets of a rule file, reusing pools that still fit. */
    build(rules) {
        const targets = new Map();
        const used = new Set();
        const add = (name, kind, spec) => {
            const s = specObject(spec);
            const url = new URL(s.url);
            const timeoutMs = s.timeoutMs ?? DEFAULT_TIMEOUT_MS;
            const key = `${url.origin}|${timeoutMs}|${s.connections ?? ''}`;
            used.add(key);
            let entry = this.pools.get(key);
            if (!entry) {
                entry = {
                    key,
                    pool: new Pool(url.origin, {
                        connections: s.connections ?? 256,
                        headersTimeout: timeoutMs,
                        bodyTimeout: timeoutMs,
                        connectTimeout: CONNECT_TIMEOUT_MS,
                        keepAliveTimeout: 4_000,
                    }),
                };
                this.pools.set(key, entry);
            }
            targets.set(name, {
                name,
                kind,
                origin: url.origin,
                basePath: url.pathname === '/' ? '' : url.pathname.replace(/\/$/, ''),
                timeoutMs,
                hostHeader: s.hostHeader ?? 'keep',
                targetHost: url.host,
                pool: entry.pool,
            });
        };
        add(LEGACY, 'legacy', rules.legacy);
        for (const [name, spec] of Object.entries(rules.services))
            add(name, 'service', spec);
        this.retireUnused(used);
        return targets;
    }
    /** Pools no target uses any more close once their in-flight requests finish. */
    retireUnused(used) {
        for (const [key, entry] of this.pools) {
            if (used.has(key))
                continue;
            this.pools.delete(key);
            entry.pool.close().catch(() => undefined);
        }
    }
    async closeAll() {
        const all = [...this.pools.values()];
        this.pools.clear();
        await Promise.all(all.map((e) => e.pool.destroy().catch(() => undefined)));
    }
}
//# sourceMappingURL=targets.js.map