import type { Database } from 'better-sqlite3';
import type { Mode } from '../rules/schema.js';

export interface ModeChange {
  id: number;
  at: string;
  route: string;
  fromMode: Mode;
  toMode: Mode;
  fromPercent: number | null;
  toPercent: number | null;
  author: string;
  reason: string;
  forced: boolean;
  evidence: unknown;
  revision: number;
}

interface Row {
  id: number;
  at: number;
  route: string;
  from_mode: Mode;
  to_mode: Mode;
  from_percent: number | null;
  to_percent: number | null;
  author: string;
  reason: string;
  forced: number;
  evidence_json: string;
  revision: number;
}

/** The log of every change of mode: who, when, why, and the evidence at that moment. */
export class ModeChangeStore {
  constructor(private readonly db: Database) {}

  add(c: Omit<ModeChange, 'id' | 'at'>, at = Date.now()): number {
    const info = this.db
      .prepare(
        `INSERT INTO mode_changes (at, route, from_mode, to_mode, from_percent, to_percent, author, reason, forced, evidence_json, revision)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(at, c.route, c.fromMode, c.toMode, c.fromPercent, c.toPercent, c.author, c.reason, c.forced ? 1 : 0, JSON.stringify(c.evidence), c.revision);
    return Number(info.lastInsertRowid);
  }

  list(route?: string, limit = 200): ModeChange[] {
    const rows = (
      route
        ? this.db.prepare(`SELECT * FROM mode_changes WHERE route = ? ORDER BY id DESC LIMIT ?`).all(route, limit)
        : this.db.prepare(`SELECT * FROM mode_changes ORDER BY id DESC LIMIT ?`).all(limit)
    ) as Row[];
    return rows.map((r) => ({
      id: r.id,
      at: new Date(r.at).toISOString(),
      route: r.route,
      fromMode: r.from_mode,
      toMode: r.to_mode,
      fromPercent: r.from_percent,
      toPercent: r.to_percent,
      author: r.author,
      reason: r.reason,
      forced: r.forced === 1,
      evidence: JSON.parse(r.evidence_json) as unknown,
      revision: r.revision,
    }));
  }
}
