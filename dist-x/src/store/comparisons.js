import { minuteOf } from './traffic.js';
export const SAMPLES_PER_SIGNATURE = 5;
/**
 * Shadow comparisons: a compact row per attempted comparison, per-minute
 * counters of outcomes and of difference groups (r from legacy vs the
 * other side, n from legacy vs itself), and a few redacted samples per
 * endpoint and signature.
 */
export class ComparisonStore {
    db;
    sampleCounts = new Map();
    countsAt = Date.now();
    knownSignatures = new Set();
    insertComparison;
    upsertOutcome;
    upsertGroup;
    insertSignature;
    insertSample;
    countSamples;
    constructor(db) {
        this.db = db;
        this.insertComparison = db.prepare(`INSERT INTO comparisons (at, endpoint_id, route, kind, outcome, legacy_status, other_status, legacy_ms, other_ms, signature, exchange)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
        this.upsertOutcome = db.prepare(`INSERT INTO comparison_minutes (endpoint_id, minute, kind, outcome, count) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (endpoint_id, minute, kind, outcome) DO UPDATE SET count = count + excluded.count`);
        this.upsertGroup = db.prepare(`INSERT INTO difference_minutes (endpoint_id, minute, path, kind, real, noise) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (endpoint_id, minute, path, kind) DO UPDATE SET real = real + excluded.real, noise = noise + excluded.noise`);
        this.insertSignature = db.prepare(`INSERT OR IGNORE INTO signatures (endpoint_id, signature, groups_json) VALUES (?, ?, ?)`);
        this.insertSample = db.prepare(`INSERT INTO samples (at, endpoint_id, signature, comparison_id, route, target, outcome, request_json, legacy_json, other_json, differences_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
        this.countSamples = db.prepare(`SELECT COUNT(*) AS n FROM samples WHERE endpoint_id = ? AND signature = ?`);
    }
    samplesHeld(endpointId, signature) {
        // Retention deletes samples behind this cache's back: look again now and then, so new ones are kept.
        if (Date.now() - this.countsAt > 600_000) {
            this.sampleCounts.clear();
            this.countsAt = Date.now();
        }
        const key = `${endpointId}|${signature}`;
        const full = this.sampleCounts.get(key);
        if (full !== undefined)
            return full;
        // Only a full set is remembered: other processes (workers: N) add samples too, so a count under the limit is asked
        // again, inside the write transaction; that is at most a few queries per signature before it is full.
        const n = this.countSamples.get(endpointId, signature).n;
        if (n >= SAMPLES_PER_SIGNATURE)
            this.sampleCounts.set(key, n);
        return n;
    }
    /**
     * Writes a batch; the caller runs it inside its transaction. `counted`:
     * outcomes already counted elsewhere (copies never attempted need no row).
     */
    write(rows, counted = []) {
        const outcomes = new Map();
        for (const c of counted) {
            const ok = `${c.endpointId}|${c.minute}|${c.kind}|${c.outcome}`;
            const o = outcomes.get(ok);
            if (o)
                o.n += c.n;
            else
                outcomes.set(ok, { e: c.endpointId, m: c.minute, kind: c.kind, outcome: c.outcome, n: c.n });
        }
        const groups = new Map();
        for (const r of rows) {
            const minute = minuteOf(r.at);
            const ok = `${r.endpointId}|${minute}|${r.kind}|${r.outcome}`;
            const o = outcomes.get(ok);
            if (o)
                o.n++;
            else
                outcomes.set(ok, { e: r.endpointId, m: minute, kind: r.kind, outcome: r.outcome, n: 1 });
            if (!r.attempted)
                continue;
            for (const g of r.groups) {
                const gk = `${r.endpointId}|${minute}|${g.path}|${g.kind}`;
                let c = groups.get(gk);
                if (!c)
                    groups.set(gk, (c = { e: r.endpointId, m: minute, path: g.path, kind: g.kind, real: 0, noise: 0 }));
                if (r.kind === 'noise')
                    c.noise++;
                else
                    c.real++;
            }
            if (r.signature && !this.knownSignatures.has(`${r.endpointId}|${r.signature}`)) {
                this.insertSignature.run(r.endpointId, r.signature, JSON.stringify(r.groups));
                this.knownSignatures.add(`${r.endpointId}|${r.signature}`);
            }
            const info = this.insertComparison.run(r.at, r.endpointId, r.route, r.kind, r.outcome, r.legacyStatus, r.otherStatus, r.legacyMs, r.otherMs, r.signature, r.exchange);
            if (r.sample && r.kind === 'shadow' && this.samplesHeld(r.endpointId, r.signature) < SAMPLES_PER_SIGNATURE) {
                const s = r.sample();
                this.insertSample.run(r.at, r.endpointId, r.signature, Number(info.lastInsertRowid), r.route, s.target, r.outcome, JSON.stringify(s.request), JSON.stringify(s.legacy), JSON.stringify(s.other), JSON.stringify(s.differences));
            }
        }
        for (const o of outcomes.values())
            this.upsertOutcome.run(o.e, o.m, o.kind, o.outcome, o.n);
        for (const g of groups.values())
            this.upsertGroup.run(g.e, g.m, g.path, g.kind, g.real, g.noise);
    }
    /** After a failed batch: the caches may name rows that were rolled back. */
    forgetCaches() {
        this.sampleCounts.clear();
        this.knownSignatures.clear();
    }
    outcomeCounts(sinceMs) {
        return this.db
            .prepare(`SELECT endpoint_id AS endpointId, kind, outcome, SUM(count) AS count FROM comparison_minutes WHERE minute >= ? GROUP BY endpoint_id, kind, outcome`)
            .all(minuteOf(sinceMs));
    }
    groupCounts(sinceMs) {
        return this.db
            .prepare(`SELECT endpoint_id AS endpointId, path, kind, SUM(real) AS real, SUM(noise) AS noise FROM difference_minutes WHERE minute >= ? GROUP BY endpoint_id, path, kind`)
            .all(minuteOf(sinceMs));
    }
    /** Shadow comparisons that differed, by signature. */
    signatureCounts(sinceMs) {
        const rows = this.db
            .prepare(`SELECT c.endpoint_id AS endpointId, c.signature, COUNT(*) AS count, s.groups_json AS groups
         FROM comparisons c LEFT JOIN signatures s ON s.endpoint_id = c.endpoint_id AND s.signature = c.signature
         WHERE c.at >= ? AND c.kind = 'shadow' AND c.outcome = 'differ' GROUP BY c.endpoint_id, c.signature`)
            .all(sinceMs);
        return rows.map((r) => ({ ...r, groups: r.groups ? JSON.parse(r.groups) : [] }));
    }
    /** Sample ids per endpoint and group, newest first, for the report. */
    sampleIndex() {
        const rows = this.db
            .prepare(`SELECT sa.id, sa.endpoint_id AS endpointId, sa.signature, s.groups_json AS groups FROM samples sa
         LEFT JOIN signatures s ON s.endpoint_id = sa.endpoint_id AND s.signature = sa.signature ORDER BY sa.id DESC`)
            .all();
        return rows.map((r) => ({ ...r, groups: r.groups ? JSON.parse(r.groups) : [] }));
    }
    sample(id) {
        const r = this.db
            .prepare(`SELECT sa.*, e.method, e.path FROM samples sa JOIN endpoints e ON e.id = sa.endpoint_id WHERE sa.id = ?`)
            .get(id);
        if (!r)
            return undefined;
        return {
            id: r.id,
            at: new Date(r.at).toISOString(),
            endpointId: r.endpoint_id,
            method: r.method,
            path: r.path,
            route: r.route,
            target: r.target,
            outcome: r.outcome,
            signature: r.signature,
            request: JSON.parse(r.request_json),
            legacy: JSON.parse(r.legacy_json),
            other: JSON.parse(r.other_json),
            differences: JSON.parse(r.differences_json),
        };
    }
}
//# sourceMappingURL=comparisons.js.map