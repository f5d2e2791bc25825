import { minuteOf } from './traffic.js';
export function trafficMinutes(db, sinceMs, untilMs) {
    return db
        .prepare(`SELECT minute, target, SUM(requests) AS requests FROM traffic_minutes WHERE minute >= ? AND minute <= ? GROUP BY minute, target ORDER BY minute`)
        .all(minuteOf(sinceMs), minuteOf(untilMs));
}
export function shadowOutcomeMinutes(db, sinceMs, untilMs) {
    return db
        .prepare(`SELECT minute, endpoint_id AS endpointId,
              SUM(CASE WHEN outcome = 'match' THEN count ELSE 0 END) AS matched,
              SUM(CASE WHEN outcome = 'differ' THEN count ELSE 0 END) AS differed
       FROM comparison_minutes WHERE kind = 'shadow' AND outcome IN ('match', 'differ') AND minute >= ? AND minute <= ?
       GROUP BY minute, endpoint_id ORDER BY minute`)
        .all(minuteOf(sinceMs), minuteOf(untilMs));
}
/**
 * Differing shadow comparisons per minute and signature. Minute rows do not
 * say which groups one comparison differed in, and a net match needs that
 * (every group noise), so this reads the compact comparison rows.
 */
export function differMinutes(db, sinceMs, untilMs) {
    const rows = db
        .prepare(`SELECT c.at / 60000 AS minute, c.endpoint_id AS endpointId, c.signature, COUNT(*) AS count, s.groups_json AS groups
       FROM comparisons c LEFT JOIN signatures s ON s.endpoint_id = c.endpoint_id AND s.signature = c.signature
       WHERE c.kind = 'shadow' AND c.outcome = 'differ' AND c.at >= ? AND c.at < ?
       GROUP BY minute, c.endpoint_id, c.signature`)
        .all(minuteOf(sinceMs) * 60_000, (minuteOf(untilMs) + 1) * 60_000);
    return rows.map((r) => ({ ...r, groups: r.groups ? JSON.parse(r.groups) : [] }));
}
/** The first minute the ledger holds traffic for, or null when it holds none. */
export function firstTrafficMinute(db) {
    const row = db.prepare(`SELECT MIN(minute) AS m FROM traffic_minutes`).get();
    return row.m;
}
//# sourceMappingURL=minute-series.js.map