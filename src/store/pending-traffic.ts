import { bucketIndex, emptyHistogram } from './latency-histogram.js';

/** One exchange, attributed to its endpoint, as the ledger stores it. */
export interface TrafficRecord {
  method: string;
  /** Endpoint template, e.g. /api/orders/{id}. */
  path: string;
  route: string | null;
  target: string;
  /** 0 when the target gave no response. */
  status: number;
  fellBack: boolean;
  startedAt: number;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
}

export const minuteOf = (ms: number) => Math.floor(ms / 60_000);

export interface PendingRow {
  method: string;
  path: string;
  route: string | null;
  minute: number;
  target: string;
  firstAt: number;
  requests: number;
  classes: [number, number, number, number, number];
  errors: number;
  fallbacks: number;
  bytesIn: number;
  bytesOut: number;
  latencySum: number;
  histogram: Uint32Array;
}

/**
 * Exchanges folded in memory into the rows they will become: one per
 * (endpoint, minute, target). Folding costs a map lookup per exchange;
 * the SQLite upsert it saves costs twenty times that, so the ledger folds
 * often and writes seldom.
 */
export class PendingTraffic {
  readonly rows = new Map<string, PendingRow>();
  /** Per endpoint: when it was last seen and by which route. */
  readonly touched = new Map<string, { method: string; path: string; at: number; route: string | null }>();
  records = 0;

  add(r: TrafficRecord): void {
    this.records++;
    const minute = minuteOf(r.startedAt);
    const endpoint = `${r.method} ${r.path}`;
    const key = `${endpoint}\u0000${minute}\u0000${r.target}`;
    let row = this.rows.get(key);
    if (!row) {
      row = {
        method: r.method,
        path: r.path,
        route: r.route,
        minute,
        target: r.target,
        firstAt: r.startedAt,
        requests: 0,
        classes: [0, 0, 0, 0, 0],
        errors: 0,
        fallbacks: 0,
        bytesIn: 0,
        bytesOut: 0,
        latencySum: 0,
        histogram: emptyHistogram(),
      };
      this.rows.set(key, row);
    }
    row.route = r.route;
    row.requests++;
    const cls = Math.floor(r.status / 100);
    if (cls >= 1 && cls <= 5) row.classes[cls - 1]!++;
    else row.errors++;
    if (r.fellBack) row.fallbacks++;
    row.bytesIn += r.bytesIn;
    row.bytesOut += r.bytesOut;
    row.latencySum += r.durationMs;
    row.histogram[bucketIndex(r.durationMs)]!++;
    const t = this.touched.get(endpoint);
    if (!t) this.touched.set(endpoint, { method: r.method, path: r.path, at: r.startedAt, route: r.route });
    else if (t.at <= r.startedAt) {
      t.at = r.startedAt;
      t.route = r.route;
    }
  }

  clear(): void {
    this.rows.clear();
    this.touched.clear();
    this.records = 0;
  }
}
