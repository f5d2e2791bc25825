import { bucketIndex, emptyHistogram } from './latency-histogram.js';
export const minuteOf = (ms) => Math.floor(ms / 60_000);
/**
 * Exchanges folded in memory into the rows they will become: one per
 * (endpoint, minute, target). Folding costs a map lookup per exchange;
 * the SQLite upsert it saves costs twenty times that, so the ledger folds
 * often and writes seldom.
 */
export class PendingTraffic {
    rows = new Map();
    /** Per endpoint: when it was last seen and by which route. */
    touched = new Map();
    records = 0;
    add(r) {
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
        if (cls >= 1 && cls <= 5)
            row.classes[cls - 1]++;
        else
            row.errors++;
        if (r.fellBack)
            row.fallbacks++;
        row.bytesIn += r.bytesIn;
        row.bytesOut += r.bytesOut;
        row.latencySum += r.durationMs;
        row.histogram[bucketIndex(r.durationMs)]++;
        const t = this.touched.get(endpoint);
        if (!t)
            this.touched.set(endpoint, { method: r.method, path: r.path, at: r.startedAt, route: r.route });
        else if (t.at <= r.startedAt) {
            t.at = r.startedAt;
            t.route = r.route;
        }
    }
    clear() {
        this.rows.clear();
        this.touched.clear();
        this.records = 0;
    }
}
//# sourceMappingURL=pending-traffic.js.map