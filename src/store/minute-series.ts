import type { Database } from 'better-sqlite3';
import { parseGroups } from './comparisons.js';
import { minuteOf } from './traffic.js';

/**
 * The ledger's per-minute rows as the dashboard's charts read them: plain
 * rows, bucketed into points by `admin/timeseries.ts`.
 */

export interface TrafficMinute {
  minute: number;
  target: string;
  requests: number;
}

export interface OutcomeMinute {
  minute: number;
  endpointId: number;
  /** Shadow comparisons that matched and that differed in that minute. */
  matched: number;
  differed: number;
}

export interface DifferMinute {
  minute: number;
  endpointId: number;
  signature: string;
  count: number;
  groups: Array<{ path: string; kind: string }>;
}

export function trafficMinutes(db: Database, sinceMs: number, untilMs: number): TrafficMinute[] {
  return db
    .prepare(
      // Each endpoint's rows as one range of the primary key: half the time of the minute index's row-by-row lookups.
      `SELECT t.minute, t.target, SUM(t.requests) AS requests FROM endpoints e CROSS JOIN traffic_minutes t
       ON t.endpoint_id = e.id AND t.minute >= ? AND t.minute <= ? GROUP BY t.minute, t.target ORDER BY t.minute`,
    )
    .all(minuteOf(sinceMs), minuteOf(untilMs)) as TrafficMinute[];
}

export function shadowOutcomeMinutes(db: Database, sinceMs: number, untilMs: number): OutcomeMinute[] {
  return db
    .prepare(
      `SELECT minute, endpoint_id AS endpointId,
              SUM(CASE WHEN outcome = 'match' THEN count ELSE 0 END) AS matched,
              SUM(CASE WHEN outcome = 'differ' THEN count ELSE 0 END) AS differed
       FROM comparison_minutes WHERE kind = 'shadow' AND outcome IN ('match', 'differ') AND minute >= ? AND minute <= ?
       GROUP BY minute, endpoint_id ORDER BY minute`,
    )
    .all(minuteOf(sinceMs), minuteOf(untilMs)) as OutcomeMinute[];
}

/** Differing shadow comparisons per minute and signature, with the groups each signature stands for (a net match needs every group noise). */
export function differMinutes(db: Database, sinceMs: number, untilMs: number): DifferMinute[] {
  const rows = db
    .prepare(
      `SELECT d.minute, d.endpoint_id AS endpointId, d.signature, d.count, s.groups_json AS groups
       FROM signature_minutes d LEFT JOIN signatures s ON s.endpoint_id = d.endpoint_id AND s.signature = d.signature
       WHERE d.minute >= ? AND d.minute <= ?`,
    )
    .all(minuteOf(sinceMs), minuteOf(untilMs)) as Array<Omit<DifferMinute, 'groups'> & { groups: string | null }>;
  // A signature recurs every minute: parse its groups once.
  const parsed = new Map<string | null, DifferMinute['groups']>();
  return rows.map((r) => {
    let groups = parsed.get(r.groups);
    if (groups === undefined) parsed.set(r.groups, (groups = parseGroups(r.groups)));
    return { ...r, groups };
  });
}

/** The first minute the ledger holds traffic for, or null when it holds none. */
export function firstTrafficMinute(db: Database): number | null {
  const row = db.prepare(`SELECT MIN(minute) AS m FROM traffic_minutes`).get() as { m: number | null };
  return row.m;
}
