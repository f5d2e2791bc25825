import type { Database, Transaction } from 'better-sqlite3';
import { addBlobInto, emptyHistogram, quantile, toBlob } from './latency-histogram.js';
import { minuteOf, PendingTraffic, type TrafficRecord } from './pending-traffic.js';

export { minuteOf, type TrafficRecord };

/** Requests in all and by target. */
export interface Totals {
  total: number;
  byTarget: Record<string, number>;
}

export const noTotals = (): Totals => ({ total: 0, byTarget: {} });

export function addToTotals(t: Totals, target: string, n: number): void {
  t.total += n;
  t.byTarget[target] = (t.byTarget[target] ?? 0) + n;
}

/**
 * Every endpoint's minute rows from a minute on, as `t`: each endpoint's
 * rows as one range of the primary key, about half the time of the minute
 * index's row-by-row lookups (a day of 200 endpoints is 288,000 rows).
 */
const ALL_ROWS_SINCE = `FROM endpoints e CROSS JOIN traffic_minutes t ON t.endpoint_id = e.id AND t.minute >= ?`;

/** An endpoint as the inventory lists it, before its traffic is read. */
export interface EndpointInfo {
  id: number;
  method: string;
  path: string;
  route: string | null;
  source: string;
}

export interface EndpointTraffic {
  id: number;
  method: string;
  path: string;
  route: string | null;
  source: string;
  requests: number;
  byTarget: Record<string, number>;
  statusClasses: Record<'1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'error', number>;
  fallbacks: number;
  bytesIn: number;
  bytesOut: number;
  p50Ms: number | null;
  p95Ms: number | null;
  firstSeen: string | null;
  lastSeen: string | null;
}


/**
 * The endpoint inventory and its per-minute traffic. Exchanges are folded
 * in memory into one row per (endpoint, minute, target) (PendingTraffic),
 * merged into the table by upsert, so the write cost follows the number of
 * endpoints, not requests.
 */
export class TrafficStore {
  private ids = new Map<string, number>();
  private readonly insertEndpoint;
  private readonly selectEndpoint;
  private readonly touchEndpoint;
  private readonly upsertMinute;

  /** Built once: a transaction function per batch costs more than the batch's bookkeeping. */
  private readonly writeTx: Transaction<(pending: PendingTraffic) => void>;

  /** `db` is public: the ledger writes traffic and comparisons of one batch in one transaction on it. */
  constructor(readonly db: Database) {
    this.writeTx = db.transaction((pending: PendingTraffic) => this.writePending(pending));
    this.insertEndpoint = db.prepare(
      `INSERT INTO endpoints (method, path, route, source, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (method, path) DO NOTHING`,
    );
    this.selectEndpoint = db.prepare(`SELECT id FROM endpoints WHERE method = ? AND path = ?`);
    this.touchEndpoint = db.prepare(
      `UPDATE endpoints SET last_seen = MAX(COALESCE(last_seen, 0), ?), first_seen = COALESCE(first_seen, ?), route = ? WHERE id = ?`,
    );
    this.upsertMinute = db.prepare(
      `INSERT INTO traffic_minutes (endpoint_id, minute, target, route, requests, s1xx, s2xx, s3xx, s4xx, s5xx, errors, fallbacks,
                                    bytes_in, bytes_out, latency_sum, histogram)
       VALUES (@endpointId, @minute, @target, @route, @requests, @s1, @s2, @s3, @s4, @s5, @errors, @fallbacks, @bytesIn, @bytesOut, @latencySum, @histogram)
       ON CONFLICT (endpoint_id, minute, target) DO UPDATE SET
         route = excluded.route,
         requests = requests + excluded.requests,
         s1xx = s1xx + excluded.s1xx, s2xx = s2xx + excluded.s2xx, s3xx = s3xx + excluded.s3xx,
         s4xx = s4xx + excluded.s4xx, s5xx = s5xx + excluded.s5xx,
         errors = errors + excluded.errors, fallbacks = fallbacks + excluded.fallbacks,
         bytes_in = bytes_in + excluded.bytes_in, bytes_out = bytes_out + excluded.bytes_out,
         latency_sum = latency_sum + excluded.latency_sum,
         histogram = hist_merge(histogram, excluded.histogram)`,
    );
  }

  /** The id of an endpoint, created on first sight. */
  endpointId(method: string, path: string, route: string | null, source: 'traffic' | 'openapi', seenAt: number | null): number {
    const key = `${method} ${path}`;
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    this.insertEndpoint.run(method, path, route, source, seenAt, seenAt);
    const row = this.selectEndpoint.get(method, path) as { id: number };
    this.ids.set(key, row.id);
    return row.id;
  }

  /** Every distinct endpoint template known, for seeding the template learner at start. */
  knownPaths(): string[] {
    return (this.db.prepare(`SELECT DISTINCT path FROM endpoints ORDER BY path LIMIT 5000`).all() as Array<{ path: string }>).map((r) => r.path);
  }

  /** Seeds endpoints that traffic has not shown yet (OpenAPI import). Returns how many were new. */
  seed(endpoints: ReadonlyArray<{ method: string; path: string }>): number {
    let added = 0;
    this.db.transaction(() => {
      for (const e of endpoints) {
        const r = this.insertEndpoint.run(e.method.toUpperCase(), e.path, null, 'openapi', null, null);
        added += r.changes;
      }
    }).immediate();
    return added;
  }

  /** After a failed outer transaction: ids cached during it may name rolled-back rows. */
  forgetCaches(): void {
    this.ids.clear();
  }

  /** Writes records in one transaction of their own. */
  write(records: readonly TrafficRecord[]): void {
    if (records.length === 0) return;
    const pending = new PendingTraffic();
    for (const r of records) pending.add(r);
    try {
      // IMMEDIATE: another process may commit between this transaction's first read and its first write (see TrafficLedger.persist).
      this.writeTx.immediate(pending);
    } catch (err) {
      // The rollback took back any endpoint created in the batch; ids cached for them would point at nothing.
      this.ids.clear();
      throw err;
    }
  }

  /** Upserts what `pending` folded; the caller runs it inside its transaction and clears caches if that fails. */
  writePending(pending: PendingTraffic): void {
    for (const row of pending.rows.values()) {
      this.upsertMinute.run({
        endpointId: this.endpointId(row.method, row.path, row.route, 'traffic', row.firstAt),
        minute: row.minute,
        target: row.target,
        route: row.route,
        requests: row.requests,
        s1: row.classes[0],
        s2: row.classes[1],
        s3: row.classes[2],
        s4: row.classes[3],
        s5: row.classes[4],
        errors: row.errors,
        fallbacks: row.fallbacks,
        bytesIn: row.bytesIn,
        bytesOut: row.bytesOut,
        latencySum: row.latencySum,
        histogram: toBlob(row.histogram),
      });
    }
    for (const t of pending.touched.values()) this.touchEndpoint.run(t.at, t.at, t.route, this.endpointId(t.method, t.path, t.route, 'traffic', t.at));
  }

  /**
   * Every known endpoint with its traffic since `sinceMs`. `latency: false`
   * leaves p50Ms and p95Ms null: readers that show no latency (the report,
   * progress, the charts) skip summing the histograms, most of the work.
   * `keep`: only these endpoints, and only their minute rows are read.
   */
  endpoints(sinceMs = 0, { latency = true, keep }: { latency?: boolean; keep?: (e: EndpointInfo) => boolean } = {}): EndpointTraffic[] {
    let endpoints = this.db
      .prepare(`SELECT id, method, path, route, source, first_seen, last_seen FROM endpoints ORDER BY path, method`)
      .all() as Array<EndpointInfo & { first_seen: number | null; last_seen: number | null }>;
    if (keep) endpoints = endpoints.filter(keep);
    // Summed in SQLite, per endpoint and target: as JavaScript objects a day of minute rows took seconds.
    const sums = `SELECT t.endpoint_id, t.target, SUM(t.requests) AS requests, SUM(t.s1xx) AS s1xx, SUM(t.s2xx) AS s2xx, SUM(t.s3xx) AS s3xx,
                SUM(t.s4xx) AS s4xx, SUM(t.s5xx) AS s5xx, SUM(t.errors) AS errors, SUM(t.fallbacks) AS fallbacks,
                SUM(t.bytes_in) AS bytes_in, SUM(t.bytes_out) AS bytes_out${latency ? ', hist_sum(t.histogram) AS histogram' : ''}`;
    const traffic = (
      keep
        ? this.db
            .prepare(`${sums} FROM json_each(?) j CROSS JOIN traffic_minutes t ON t.endpoint_id = j.value AND t.minute >= ? GROUP BY t.endpoint_id, t.target`)
            .all(JSON.stringify(endpoints.map((e) => e.id)), minuteOf(sinceMs))
        : this.db
            .prepare(`${sums} ${ALL_ROWS_SINCE} GROUP BY t.endpoint_id, t.target`)
            .all(minuteOf(sinceMs))
    ) as Array<{
      endpoint_id: number;
      target: string;
      requests: number;
      s1xx: number;
      s2xx: number;
      s3xx: number;
      s4xx: number;
      s5xx: number;
      errors: number;
      fallbacks: number;
      bytes_in: number;
      bytes_out: number;
      histogram?: Buffer;
    }>;
    const byId = new Map<number, EndpointTraffic & { hist: Uint32Array }>();
    for (const e of endpoints) {
      byId.set(e.id, {
        id: e.id,
        method: e.method,
        path: e.path,
        route: e.route,
        source: e.source,
        requests: 0,
        byTarget: {},
        statusClasses: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, error: 0 },
        fallbacks: 0,
        bytesIn: 0,
        bytesOut: 0,
        p50Ms: null,
        p95Ms: null,
        firstSeen: e.first_seen ? new Date(e.first_seen).toISOString() : null,
        lastSeen: e.last_seen ? new Date(e.last_seen).toISOString() : null,
        hist: emptyHistogram(),
      });
    }
    for (const t of traffic) {
      const e = byId.get(t.endpoint_id);
      if (!e) continue;
      e.requests += t.requests;
      e.byTarget[t.target] = (e.byTarget[t.target] ?? 0) + t.requests;
      e.statusClasses['1xx'] += t.s1xx;
      e.statusClasses['2xx'] += t.s2xx;
      e.statusClasses['3xx'] += t.s3xx;
      e.statusClasses['4xx'] += t.s4xx;
      e.statusClasses['5xx'] += t.s5xx;
      e.statusClasses.error += t.errors;
      e.fallbacks += t.fallbacks;
      e.bytesIn += t.bytes_in;
      e.bytesOut += t.bytes_out;
      if (latency) addBlobInto(e.hist, t.histogram);
    }
    return [...byId.values()].map(({ hist, ...e }) => (latency ? { ...e, p50Ms: quantile(hist, 0.5), p95Ms: quantile(hist, 0.95) } : e));
  }

  /**
   * Requests per target since `sinceMs`, in total; with `route`, those the
   * route served. Each minute row carries the route that claimed its
   * requests then, whatever claims the endpoint now, so a route that splits
   * a path by header counts its own share. A row is per endpoint, minute and
   * target, though: when two routes send one endpoint's requests to the same
   * target in the same minute, the row counts them all under the route that
   * wrote last.
   */
  totals(sinceMs = 0, route?: string): Totals {
    const rows = (
      route === undefined
        ? this.db.prepare(`SELECT t.target, SUM(t.requests) AS n ${ALL_ROWS_SINCE} GROUP BY t.target`).all(minuteOf(sinceMs))
        : this.db.prepare(`SELECT t.target, SUM(t.requests) AS n ${ALL_ROWS_SINCE} WHERE t.route = ? GROUP BY t.target`).all(minuteOf(sinceMs), route)
    ) as Array<{ target: string; n: number }>;
    const totals = noTotals();
    for (const r of rows) addToTotals(totals, r.target, r.n);
    return totals;
  }

  /** `totals(sinceMs, route)` for every route at once: one pass over the minute rows. */
  totalsByRoute(sinceMs: number): Map<string, Totals> {
    const rows = this.db
      .prepare(`SELECT t.route, t.target, SUM(t.requests) AS n ${ALL_ROWS_SINCE} WHERE t.route IS NOT NULL GROUP BY t.route, t.target`)
      .all(minuteOf(sinceMs)) as Array<{ route: string; target: string; n: number }>;
    const byRoute = new Map<string, Totals>();
    for (const r of rows) {
      let t = byRoute.get(r.route);
      if (!t) byRoute.set(r.route, (t = noTotals()));
      addToTotals(t, r.target, r.n);
    }
    return byRoute;
  }

  /** Per-minute requests by target, for charts. */
  series(sinceMs: number): Array<{ minute: number; target: string; requests: number }> {
    return this.db
      .prepare(`SELECT minute, target, SUM(requests) AS requests FROM traffic_minutes WHERE minute >= ? GROUP BY minute, target ORDER BY minute`)
      .all(minuteOf(sinceMs)) as Array<{ minute: number; target: string; requests: number }>;
  }
}
