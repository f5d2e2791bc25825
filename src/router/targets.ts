import { Pool } from 'undici';
// undici's dispatchers never follow redirects nor decode bodies unless an interceptor is added; none is.
import type { RuleFile, TargetSpec } from '../rules/schema.js';

/**
 * Runtime targets: the rule file's legacy and services, each with a
 * keep-alive pool. Pools outlive rule reloads when the origin and its
 * settings are unchanged, so a reload does not drop warm connections.
 */

export const LEGACY = 'legacy';
export const DEFAULT_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 5_000;

export interface Target {
  /** `legacy` or the service's name: what errors and logs call it. */
  readonly name: string;
  readonly kind: 'legacy' | 'service';
  readonly origin: string;
  /** Path prefix from the target URL (`http://h/v2` → `/v2`), '' for none. */
  readonly basePath: string;
  readonly timeoutMs: number;
  /** `keep` the client's Host, send the `target`'s, or this literal value. */
  readonly hostHeader: string;
  readonly targetHost: string;
  readonly pool: Pool;
}

interface PoolEntry {
  pool: Pool;
  key: string;
}

function specObject(spec: TargetSpec): Exclude<TargetSpec, string> {
  return typeof spec === 'string' ? { url: spec } : spec;
}

export class TargetPools {
  private pools = new Map<string, PoolEntry>();

  /** Builds the targets of a rule file, reusing pools that still fit. */
  build(rules: RuleFile): Map<string, Target> {
    const targets = new Map<string, Target>();
    const used = new Set<string>();
    const add = (name: string, kind: Target['kind'], spec: TargetSpec) => {
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
    for (const [name, spec] of Object.entries(rules.services)) add(name, 'service', spec);
    this.retireUnused(used);
    return targets;
  }

  /** Pools no target uses any more close once their in-flight requests finish. */
  private retireUnused(used: Set<string>): void {
    for (const [key, entry] of this.pools) {
      if (used.has(key)) continue;
      this.pools.delete(key);
      entry.pool.close().catch(() => undefined);
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((e) => e.pool.destroy().catch(() => undefined)));
  }
}
