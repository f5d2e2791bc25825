import type { Database } from 'better-sqlite3';
import { minuteOf } from './traffic.js';

/** One shadow or noise comparison, attributed to its endpoint, as the ledger stores it. */
export interface ComparisonRow {
  endpointId: number;
  at: number;
  route: string | null;
  kind: 'shadow' | 'noise';
  outcome: string;
  /** False for skipped and dropped copies: they are counted, not stored as rows. */
  attempted: boolean;
  legacyStatus: number | null;
  otherStatus: number | null;
  legacyMs: number | null;
  otherMs: number | null;
  signature: string;
  groups: ReadonlyArray<{ path: string; kind: string }>;
  exchange: string | null;
  /** Built only when the store still wants a sample for this endpoint and signature. */
  sample: (() => SampleRow) | null;
}

export interface OutcomeCount {
  endpointId: number;
  minute: number;
  kind: 'shadow' | 'noise';
  outcome: string;
  n: number;
}

export interface SampleRow {
  target: string;
  request: unknown;
  legacy: unknown;
  other: unknown;
  differences: unknown;
}

export interface StoredSample {
  id: number;
  at: string;
  endpointId: number;
  method: string;
  path: string;
  route: string | null;
  target: string;
  outcome: string;
  signature: string;
  request: unknown;
  legacy: unknown;
  other: unknown;
  differences: unknown;
}

export const SAMPLES_PER_SIGNATURE = 5;

/**
 * A per-minute table as `t`, and the arguments of a query that adds
 * `WHERE t.minute >= ?` after its joins: every endpoint's rows, or only
 * `endpointIds`' (one primary-key range each, for a route's evidence: the
 * dashboard asks it of every route on each load).
 */
function minuteRows(table: string, sinceMs: number, endpointIds: readonly number[] | undefined): [string, unknown[]] {
  return endpointIds === undefined
    ? [`FROM ${table} t`, [minuteOf(sinceMs)]]
    : [`FROM json_each(?) j CROSS JOIN ${table} t ON t.endpoint_id = j.value`, [JSON.stringify(endpointIds), minuteOf(sinceMs)]];
}

/** A signature's difference groups as stored (signatures.groups_json); none when the signature was never stored. */
export function parseGroups(json: string | null): Array<{ path: string; kind: string }> {
  return json ? (JSON.parse(json) as Array<{ path: string; kind: string }>) : [];
}

/**
 * Shadow comparisons: a compact row per attempted comparison, per-minute
 * counters of outcomes and of difference groups (r from legacy vs the
 * other side, n from legacy vs itself), and a few redacted samples per
 * endpoint and signature.
 */
export class ComparisonStore {
  private sampleCounts = new Map<string, number>();
  private countsAt = Date.now();
  private knownSignatures = new Set<string>();
  private readonly insertComparison;
  private readonly upsertOutcome;
  private readonly upsertGroup;
  private readonly upsertSignatureMinute;
  private readonly insertSignature;
  private readonly insertSample;
  private readonly countSamples;

  constructor(private readonly db: Database) {
    this.insertComparison = db.prepare(
      `INSERT INTO comparisons (at, endpoint_id, route, kind, outcome, legacy_status, other_status, legacy_ms, other_ms, signature, exchange)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.upsertOutcome = db.prepare(
      `INSERT INTO comparison_minutes (endpoint_id, minute, kind, outcome, count) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (endpoint_id, minute, kind, outcome) DO UPDATE SET count = count + excluded.count`,
    );
    this.upsertGroup = db.prepare(
      `INSERT INTO difference_minutes (endpoint_id, minute, path, kind, real, noise) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (endpoint_id, minute, path, kind) DO UPDATE SET real = real + excluded.real, noise = noise + excluded.noise`,
    );
    this.upsertSignatureMinute = db.prepare(
      `INSERT INTO signature_minutes (endpoint_id, minute, signature, count) VALUES (?, ?, ?, ?)
       ON CONFLICT (endpoint_id, minute, signature) DO UPDATE SET count = count + excluded.count`,
    );
    this.insertSignature = db.prepare(`INSERT OR IGNORE INTO signatures (endpoint_id, signature, groups_json) VALUES (?, ?, ?)`);
    this.insertSample = db.prepare(
      `INSERT INTO samples (at, endpoint_id, signature, comparison_id, route, target, outcome, request_json, legacy_json, other_json, differences_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.countSamples = db.prepare(`SELECT COUNT(*) AS n FROM samples WHERE endpoint_id = ? AND signature = ?`);
  }

  private samplesHeld(endpointId: number, signature: string): number {
    // Retention deletes samples behind this cache's back: look again now and then, so new ones are kept.
    if (Date.now() - this.countsAt > 600_000) {
      this.sampleCounts.clear();
      this.countsAt = Date.now();
    }
    const key = `${endpointId}|${signature}`;
    const full = this.sampleCounts.get(key);
    if (full !== undefined) return full;
    // Only a full set is remembered: other processes (workers: N) add samples too, so a count under the limit is asked
    // again, inside the write transaction; that is at most a few queries per signature before it is full.
    const n = (this.countSamples.get(endpointId, signature) as { n: number }).n;
    if (n >= SAMPLES_PER_SIGNATURE) this.sampleCounts.set(key, n);
    return n;
  }

  /**
   * Writes a batch; the caller runs it inside its transaction. `counted`:
   * outcomes already counted elsewhere (copies never attempted need no row).
   */
  write(rows: readonly ComparisonRow[], counted: Iterable<OutcomeCount> = []): void {
    const outcomes = new Map<string, { e: number; m: number; kind: string; outcome: string; n: number }>();
    for (const c of counted) {
      const ok = `${c.endpointId}|${c.minute}|${c.kind}|${c.outcome}`;
      const o = outcomes.get(ok);
      if (o) o.n += c.n;
      else outcomes.set(ok, { e: c.endpointId, m: c.minute, kind: c.kind, outcome: c.outcome, n: c.n });
    }
    const groups = new Map<string, { e: number; m: number; path: string; kind: string; real: number; noise: number }>();
    const differing = new Map<string, { e: number; m: number; signature: string; n: number }>();
    for (const r of rows) {
      const minute = minuteOf(r.at);
      const ok = `${r.endpointId}|${minute}|${r.kind}|${r.outcome}`;
      const o = outcomes.get(ok);
      if (o) o.n++;
      else outcomes.set(ok, { e: r.endpointId, m: minute, kind: r.kind, outcome: r.outcome, n: 1 });
      if (!r.attempted) continue;

      for (const g of r.groups) {
        const gk = `${r.endpointId}|${minute}|${g.path}|${g.kind}`;
        let c = groups.get(gk);
        if (!c) groups.set(gk, (c = { e: r.endpointId, m: minute, path: g.path, kind: g.kind, real: 0, noise: 0 }));
        if (r.kind === 'noise') c.noise++;
        else c.real++;
      }
      if (r.kind === 'shadow' && r.outcome === 'differ') {
        const dk = `${r.endpointId}|${minute}|${r.signature}`;
        const d = differing.get(dk);
        if (d) d.n++;
        else differing.set(dk, { e: r.endpointId, m: minute, signature: r.signature, n: 1 });
      }
      if (r.signature && !this.knownSignatures.has(`${r.endpointId}|${r.signature}`)) {
        this.insertSignature.run(r.endpointId, r.signature, JSON.stringify(r.groups));
        this.knownSignatures.add(`${r.endpointId}|${r.signature}`);
      }
      const info = this.insertComparison.run(r.at, r.endpointId, r.route, r.kind, r.outcome, r.legacyStatus, r.otherStatus, r.legacyMs, r.otherMs, r.signature, r.exchange);
      if (r.sample && r.kind === 'shadow' && this.samplesHeld(r.endpointId, r.signature) < SAMPLES_PER_SIGNATURE) {
        const s = r.sample();
        this.insertSample.run(
          r.at,
          r.endpointId,
          r.signature,
          Number(info.lastInsertRowid),
          r.route,
          s.target,
          r.outcome,
          JSON.stringify(s.request),
          JSON.stringify(s.legacy),
          JSON.stringify(s.other),
          JSON.stringify(s.differences),
        );
      }
    }
    for (const o of outcomes.values()) this.upsertOutcome.run(o.e, o.m, o.kind, o.outcome, o.n);
    for (const g of groups.values()) this.upsertGroup.run(g.e, g.m, g.path, g.kind, g.real, g.noise);
    for (const d of differing.values()) this.upsertSignatureMinute.run(d.e, d.m, d.signature, d.n);
  }

  /** After a failed batch: the caches may name rows that were rolled back. */
  forgetCaches(): void {
    this.sampleCounts.clear();
    this.knownSignatures.clear();
  }

  outcomeCounts(sinceMs: number, endpointIds?: readonly number[]): Array<{ endpointId: number; kind: string; outcome: string; count: number }> {
    const [from, args] = minuteRows('comparison_minutes', sinceMs, endpointIds);
    return this.db
      .prepare(`SELECT t.endpoint_id AS endpointId, t.kind, t.outcome, SUM(t.count) AS count ${from} WHERE t.minute >= ? GROUP BY t.endpoint_id, t.kind, t.outcome`)
      .all(...args) as Array<{ endpointId: number; kind: string; outcome: string; count: number }>;
  }

  groupCounts(sinceMs: number, endpointIds?: readonly number[]): Array<{ endpointId: number; path: string; kind: string; real: number; noise: number }> {
    const [from, args] = minuteRows('difference_minutes', sinceMs, endpointIds);
    return this.db
      .prepare(`SELECT t.endpoint_id AS endpointId, t.path, t.kind, SUM(t.real) AS real, SUM(t.noise) AS noise ${from} WHERE t.minute >= ? GROUP BY t.endpoint_id, t.path, t.kind`)
      .all(...args) as Array<{ endpointId: number; path: string; kind: string; real: number; noise: number }>;
  }

  /** Shadow comparisons that differed, by signature: per-minute counts, as outcomeCounts reads them. */
  signatureCounts(
    sinceMs: number,
    endpointIds?: readonly number[],
  ): Array<{ endpointId: number; signature: string; count: number; groups: Array<{ path: string; kind: string }> }> {
    const [from, args] = minuteRows('signature_minutes', sinceMs, endpointIds);
    const rows = this.db
      .prepare(
        `SELECT t.endpoint_id AS endpointId, t.signature, SUM(t.count) AS count, s.groups_json AS groups
         ${from} LEFT JOIN signatures s ON s.endpoint_id = t.endpoint_id AND s.signature = t.signature
         WHERE t.minute >= ? GROUP BY t.endpoint_id, t.signature`,
      )
      .all(...args) as Array<{ endpointId: number; signature: string; count: number; groups: string | null }>;
    return rows.map((r) => ({ ...r, groups: parseGroups(r.groups) }));
  }

  /** Sample ids per endpoint and group, newest first, for the report; of `endpointIds` only when given. */
  sampleIndex(endpointIds?: readonly number[]): Array<{ id: number; endpointId: number; signature: string; groups: Array<{ path: string; kind: string }> }> {
    const only = endpointIds === undefined ? '' : `WHERE sa.endpoint_id IN (SELECT value FROM json_each(?))`;
    const rows = this.db
      .prepare(
        `SELECT sa.id, sa.endpoint_id AS endpointId, sa.signature, s.groups_json AS groups FROM samples sa
         LEFT JOIN signatures s ON s.endpoint_id = sa.endpoint_id AND s.signature = sa.signature ${only} ORDER BY sa.id DESC`,
      )
      .all(...(endpointIds === undefined ? [] : [JSON.stringify(endpointIds)])) as Array<{ id: number; endpointId: number; signature: string; groups: string | null }>;
    return rows.map((r) => ({ ...r, groups: parseGroups(r.groups) }));
  }

  sample(id: number): StoredSample | undefined {
    const r = this.db
      .prepare(
        `SELECT sa.*, e.method, e.path FROM samples sa JOIN endpoints e ON e.id = sa.endpoint_id WHERE sa.id = ?`,
      )
      .get(id) as
      | {
          id: number;
          at: number;
          endpoint_id: number;
          method: string;
          path: string;
          route: string | null;
          target: string;
          outcome: string;
          signature: string;
          request_json: string;
          legacy_json: string;
          other_json: string;
          differences_json: string;
        }
      | undefined;
    if (!r) return undefined;
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
