import type { Database } from 'better-sqlite3';
import { tableHash, type RuleTable } from '../rules/rule-table.js';

export type RevisionSource = 'file' | 'api' | 'cli' | 'restore';

export interface Revision {
  n: number;
  createdAt: string;
  source: RevisionSource;
  author: string;
  message: string;
  hash: string;
  table: RuleTable;
}

export type RevisionSummary = Omit<Revision, 'table'> & { routes: number };

interface Row {
  n: number;
  created_at: number;
  source: RevisionSource;
  author: string;
  message: string;
  table_hash: string;
  table_json: string;
}

const summaryOf = (r: Omit<Row, 'table_json'>): Omit<Revision, 'table'> => ({
  n: r.n,
  createdAt: new Date(r.created_at).toISOString(),
  source: r.source,
  author: r.author,
  message: r.message,
  hash: r.table_hash,
});

const toRevision = (r: Row): Revision => ({ ...summaryOf(r), table: JSON.parse(r.table_json) as RuleTable });

/** Every rule table that took effect, numbered; the highest number is the one in force. */
export class RevisionStore {
  constructor(private readonly db: Database) {}

  add(table: RuleTable, meta: { source: RevisionSource; author: string; message: string }, at = Date.now()): Revision {
    const hash = tableHash(table);
    const info = this.db
      .prepare(`INSERT INTO revisions (created_at, source, author, message, table_json, table_hash) VALUES (?, ?, ?, ?, ?, ?)`)
      .run(at, meta.source, meta.author, meta.message, JSON.stringify(table), hash);
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(n: number): Revision | undefined {
    const row = this.db.prepare(`SELECT * FROM revisions WHERE n = ?`).get(n) as Row | undefined;
    return row ? toRevision(row) : undefined;
  }

  latest(): Revision | undefined {
    const row = this.db.prepare(`SELECT * FROM revisions ORDER BY n DESC LIMIT 1`).get() as Row | undefined;
    return row ? toRevision(row) : undefined;
  }

  /** The newest revision that the rule file produced. */
  latestFromFile(): Revision | undefined {
    const row = this.db.prepare(`SELECT * FROM revisions WHERE source = 'file' ORDER BY n DESC LIMIT 1`).get() as Row | undefined;
    return row ? toRevision(row) : undefined;
  }

  list(limit = 100, before?: number): RevisionSummary[] {
    // SQLite counts the routes: the history page lists up to 200 revisions, and each table may hold hundreds of routes.
    const rows = this.db
      .prepare(
        `SELECT n, created_at, source, author, message, table_hash, COALESCE(json_array_length(table_json, '$.routes'), 0) AS routes
         FROM revisions WHERE n < ? ORDER BY n DESC LIMIT ?`,
      )
      .all(before ?? Number.MAX_SAFE_INTEGER, limit) as Array<Omit<Row, 'table_json'> & { routes: number }>;
    return rows.map((r) => ({ ...summaryOf(r), routes: r.routes }));
  }
}
