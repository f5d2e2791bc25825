import type { Database } from 'better-sqlite3';

/**
 * Numbered, forward-only schema migrations. `PRAGMA user_version` holds the
 * number of the last one applied. A migration once released is never
 * edited: a change is a new entry at the end.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'revisions and mode changes',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE revisions (
        n          INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at INTEGER NOT NULL,            -- ms since epoch
        source     TEXT NOT NULL,               -- file | api | cli | restore
        author     TEXT NOT NULL,
        message    TEXT NOT NULL,
        table_json TEXT NOT NULL,               -- the whole rule table in force from then on
        table_hash TEXT NOT NULL
      );
      CREATE TABLE mode_changes (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        at            INTEGER NOT NULL,
        route         TEXT NOT NULL,
        from_mode     TEXT NOT NULL,
        to_mode       TEXT NOT NULL,
        from_percent  REAL,
        to_percent    REAL,
        author        TEXT NOT NULL,
        reason        TEXT NOT NULL,
        forced        INTEGER NOT NULL,
        evidence_json TEXT NOT NULL,
        revision      INTEGER NOT NULL REFERENCES revisions(n)
      );
      CREATE INDEX mode_changes_route ON mode_changes(route, at);
    `,
  },
  {
    version: 2,
    name: 'endpoints and per-minute traffic',
    sql: `
      CREATE TABLE endpoints (
        id         INTEGER PRIMARY KEY,
        method     TEXT NOT NULL,
        path       TEXT NOT NULL,               -- template, e.g. /api/orders/{id}
        route      TEXT,                        -- the route that last claimed it
        source     TEXT NOT NULL,               -- traffic | openapi
        first_seen INTEGER,
        last_seen  INTEGER,
        UNIQUE (method, path)
      );
      CREATE TABLE traffic_minutes (
        endpoint_id INTEGER NOT NULL REFERENCES endpoints(id),
        minute      INTEGER NOT NULL,           -- ms since epoch / 60000
        target      TEXT NOT NULL,              -- legacy or a service name
        route       TEXT,
        requests    INTEGER NOT NULL DEFAULT 0,
        s1xx INTEGER NOT NULL DEFAULT 0, s2xx INTEGER NOT NULL DEFAULT 0, s3xx INTEGER NOT NULL DEFAULT 0,
        s4xx INTEGER NOT NULL DEFAULT 0, s5xx INTEGER NOT NULL DEFAULT 0,
        errors      INTEGER NOT NULL DEFAULT 0, -- no response from the target
        fallbacks   INTEGER NOT NULL DEFAULT 0,
        bytes_in    INTEGER NOT NULL DEFAULT 0,
        bytes_out   INTEGER NOT NULL DEFAULT 0,
        latency_sum REAL NOT NULL DEFAULT 0,    -- ms
        histogram   BLOB NOT NULL,              -- latency buckets, see latency-histogram.ts
        PRIMARY KEY (endpoint_id, minute, target)
      ) WITHOUT ROWID;
      CREATE INDEX traffic_minutes_minute ON traffic_minutes(minute);
    `,
  },
  {
    version: 3,
    name: 'shadow comparisons, difference groups and samples',
    sql: `
      -- One compact row per attempted comparison (skipped and dropped copies are only counted, below).
      CREATE TABLE comparisons (
        id            INTEGER PRIMARY KEY,
        at            INTEGER NOT NULL,
        endpoint_id   INTEGER NOT NULL REFERENCES endpoints(id),
        route         TEXT,
        kind          TEXT NOT NULL,            -- shadow | noise
        outcome       TEXT NOT NULL,
        legacy_status INTEGER,
        other_status  INTEGER,
        legacy_ms     REAL,
        other_ms      REAL,
        signature     TEXT NOT NULL,            -- '' when nothing differs
        exchange      TEXT
      );
      CREATE INDEX comparisons_endpoint ON comparisons(endpoint_id, at);
      CREATE INDEX comparisons_at ON comparisons(at);
      -- Outcome counts per endpoint and minute, every outcome including the not-compared ones.
      CREATE TABLE comparison_minutes (
        endpoint_id INTEGER NOT NULL REFERENCES endpoints(id),
        minute      INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        outcome     TEXT NOT NULL,
        count       INTEGER NOT NULL,
        PRIMARY KEY (endpoint_id, minute, kind, outcome)
      ) WITHOUT ROWID;
      CREATE INDEX comparison_minutes_minute ON comparison_minutes(minute);
      -- Per endpoint, minute and difference group: r (legacy vs other) and n (legacy vs legacy).
      CREATE TABLE difference_minutes (
        endpoint_id INTEGER NOT NULL REFERENCES endpoints(id),
        minute      INTEGER NOT NULL,
        path        TEXT NOT NULL,              -- grouped: $.items[*].price
        kind        TEXT NOT NULL,
        real        INTEGER NOT NULL DEFAULT 0,
        noise       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (endpoint_id, minute, path, kind)
      ) WITHOUT ROWID;
      CREATE INDEX difference_minutes_minute ON difference_minutes(minute);
      -- Which groups a signature stands for, so net match can be decided per comparison.
      CREATE TABLE signatures (
        endpoint_id INTEGER NOT NULL REFERENCES endpoints(id),
        signature   TEXT NOT NULL,
        groups_json TEXT NOT NULL,
        PRIMARY KEY (endpoint_id, signature)
      ) WITHOUT ROWID;
      -- Up to a few redacted examples per endpoint and signature.
      CREATE TABLE samples (
        id             INTEGER PRIMARY KEY,
        at             INTEGER NOT NULL,
        endpoint_id    INTEGER NOT NULL REFERENCES endpoints(id),
        signature      TEXT NOT NULL,
        comparison_id  INTEGER,
        route          TEXT,
        target         TEXT NOT NULL,
        outcome        TEXT NOT NULL,
        request_json   TEXT NOT NULL,
        legacy_json    TEXT NOT NULL,
        other_json     TEXT NOT NULL,
        differences_json TEXT NOT NULL
      );
      CREATE INDEX samples_signature ON samples(endpoint_id, signature);
    `,
  },
  {
    version: 4,
    name: 'differing shadow comparisons per minute and signature',
    sql: `
      -- What the report and the charts read for the net match rate. Read from the comparison rows instead, a day of
      -- shadowing (millions of rows) took seconds on the data plane's thread; this is rows per minute and signature.
      CREATE TABLE signature_minutes (
        endpoint_id INTEGER NOT NULL REFERENCES endpoints(id),
        minute      INTEGER NOT NULL,
        signature   TEXT NOT NULL,
        count       INTEGER NOT NULL,
        PRIMARY KEY (endpoint_id, minute, signature)
      ) WITHOUT ROWID;
      CREATE INDEX signature_minutes_minute ON signature_minutes(minute);
      -- NOT INDEXED: one pass over the rows as stored; through comparisons_endpoint it would look up each row (5 million in a
      -- day at 60 copies a second), at start, holding the write lock.
      INSERT INTO signature_minutes (endpoint_id, minute, signature, count)
        SELECT endpoint_id, CAST(at / 60000 AS INTEGER) AS m, signature, COUNT(*) FROM comparisons NOT INDEXED
        WHERE kind = 'shadow' AND outcome = 'differ' GROUP BY endpoint_id, m, signature;
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the migrations after the file's version, each in its own
 * transaction. The version is read again inside each (IMMEDIATE, so it holds
 * the write lock) because another process may open the same fresh file at
 * the same moment — the proxy and a CLI command, say — and must find the
 * work done rather than fail on "table already exists".
 */
export function migrate(db: Database, upTo = LATEST_VERSION): number[] {
  const applied: number[] = [];
  const refuseNewer = (current: number) => {
    if (current > LATEST_VERSION) {
      throw new Error(`the database is at schema version ${current}, newer than this strangler knows (${LATEST_VERSION}); upgrade strangler`);
    }
  };
  refuseNewer(schemaVersion(db));
  for (const m of MIGRATIONS) {
    if (m.version > upTo) break;
    if (m.version <= schemaVersion(db)) continue;
    db.transaction(() => {
      const current = schemaVersion(db);
      refuseNewer(current);
      if (m.version <= current) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    }).immediate();
  }
  return applied;
}
