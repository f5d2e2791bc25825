import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/store/open-database.js';
import { LATEST_VERSION, MIGRATIONS, migrate, schemaVersion } from '../src/store/migrations.js';
import { ensureBuilt, REPO } from './helpers/strangler-process.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'strangler-migrations-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const schema = (db: Database) =>
  db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`).all();

/**
 * What a strangler at schema version v wrote, one entry per version: the
 * data it put in the tables that version introduced, and how to find it
 * again after the upgrade.
 */
const writtenAt: Record<number, { write(db: Database): void; check(db: Database): void }> = {
  1: {
    write(db) {
      db.prepare(`INSERT INTO meta (key, value) VALUES ('admin_token_sha256', 'abc')`).run();
      db.prepare(
        `INSERT INTO revisions (created_at, source, author, message, table_json, table_hash) VALUES (1700000000000, 'file', 'file', 'first', '{"routes":[]}', 'h1')`,
      ).run();
      db.prepare(
        `INSERT INTO mode_changes (at, route, from_mode, to_mode, from_percent, to_percent, author, reason, forced, evidence_json, revision)
         VALUES (1700000000001, 'orders', 'legacy', 'shadow', NULL, NULL, 'ana', 'start shadowing', 0, '{}', 1)`,
      ).run();
    },
    check(db) {
      expect(db.prepare(`SELECT value FROM meta WHERE key = 'admin_token_sha256'`).get()).toEqual({ value: 'abc' });
      expect(db.prepare(`SELECT n, source, message, table_hash FROM revisions`).all()).toEqual([{ n: 1, source: 'file', message: 'first', table_hash: 'h1' }]);
      expect(db.prepare(`SELECT route, to_mode, author, revision FROM mode_changes`).all()).toEqual([
        { route: 'orders', to_mode: 'shadow', author: 'ana', revision: 1 },
      ]);
    },
  },
  2: {
    write(db) {
      db.prepare(`INSERT INTO endpoints (id, method, path, route, source, first_seen, last_seen) VALUES (7, 'GET', '/api/orders/{id}', 'orders', 'traffic', 1, 2)`).run();
      db.prepare(`INSERT INTO traffic_minutes (endpoint_id, minute, target, route, requests, s2xx, histogram) VALUES (7, 28333333, 'legacy', 'orders', 42, 42, x'00')`).run();
    },
    check(db) {
      expect(db.prepare(`SELECT method, path FROM endpoints WHERE id = 7`).get()).toEqual({ method: 'GET', path: '/api/orders/{id}' });
      expect(db.prepare(`SELECT requests, s2xx FROM traffic_minutes WHERE endpoint_id = 7`).get()).toEqual({ requests: 42, s2xx: 42 });
    },
  },
  3: {
    write(db) {
      db.prepare(`INSERT INTO endpoints (id, method, path, route, source) VALUES (9, 'GET', '/api/users/{id}', 'users', 'traffic')`).run();
      db.prepare(
        `INSERT INTO comparisons (id, at, endpoint_id, route, kind, outcome, legacy_status, other_status, signature) VALUES (1, 1700000000000, 9, 'users', 'shadow', 'differ', 200, 200, 'sig1')`,
      ).run();
      db.prepare(`INSERT INTO difference_minutes (endpoint_id, minute, path, kind, real, noise) VALUES (9, 28333333, '$.email', 'changed', 5, 1)`).run();
      db.prepare(
        `INSERT INTO samples (id, at, endpoint_id, signature, target, outcome, request_json, legacy_json, other_json, differences_json) VALUES (4, 1, 9, 'sig1', 'users', 'differ', '{}', '{}', '{}', '[]')`,
      ).run();
    },
    check(db) {
      expect(db.prepare(`SELECT outcome, signature FROM comparisons WHERE id = 1`).get()).toEqual({ outcome: 'differ', signature: 'sig1' });
      expect(db.prepare(`SELECT real, noise FROM difference_minutes WHERE endpoint_id = 9`).get()).toEqual({ real: 5, noise: 1 });
      expect(db.prepare(`SELECT target FROM samples WHERE id = 4`).get()).toEqual({ target: 'users' });
    },
  },
  4: {
    write(db) {
      db.prepare(`INSERT OR IGNORE INTO endpoints (id, method, path, route, source) VALUES (9, 'GET', '/api/users/{id}', 'users', 'traffic')`).run();
      db.prepare(`INSERT INTO signature_minutes (endpoint_id, minute, signature, count) VALUES (9, 28333340, 'sig2', 3)`).run();
    },
    check(db) {
      expect(db.prepare(`SELECT count FROM signature_minutes WHERE endpoint_id = 9 AND minute = 28333340 AND signature = 'sig2'`).get()).toEqual({ count: 3 });
    },
  },
};

describe('schema migrations', () => {
  it('are numbered 1, 2, 3… without gaps, and each has data written at its version in this suite', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
    // A new migration needs an entry in writtenAt, so that the upgrade to it is tested with data in the file.
    for (const m of MIGRATIONS) expect(writtenAt[m.version], `writtenAt[${m.version}]`).toBeDefined();
  });

  it('bring an empty file to the latest version, with WAL, synchronous=NORMAL and a busy timeout', () => {
    const file = path.join(dir, 'nested', 'ledger.db');
    const db = openDatabase(file);
    try {
      expect(schemaVersion(db)).toBe(LATEST_VERSION);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      const tables = (schema(db) as Array<{ type: string; name: string }>).filter((r) => r.type === 'table').map((r) => r.name);
      expect(tables).toEqual(expect.arrayContaining(['meta', 'revisions', 'mode_changes', 'endpoints', 'traffic_minutes']));
      for (const v of Object.keys(writtenAt).map(Number)) writtenAt[v]!.write(db);
      for (const v of Object.keys(writtenAt).map(Number)) writtenAt[v]!.check(db);
    } finally {
      db.close();
    }
    // WAL is a property of the file: a plain connection sees it too.
    const plain = new BetterSqlite3(file, { readonly: true });
    expect(plain.pragma('journal_mode', { simple: true })).toBe('wal');
    plain.close();
  });

  for (let from = 0; from < LATEST_VERSION; from++) {
    it(`upgrade a file at version ${from} to ${LATEST_VERSION}, keeping what was written at ${from}`, () => {
      const file = path.join(dir, 'ledger.db');
      // The file as an older strangler left it.
      const old = new BetterSqlite3(file);
      expect(migrate(old, from)).toEqual(MIGRATIONS.filter((m) => m.version <= from).map((m) => m.version));
      expect(schemaVersion(old)).toBe(from);
      for (let v = 1; v <= from; v++) writtenAt[v]!.write(old);
      old.close();

      const db = openDatabase(file);
      try {
        expect(schemaVersion(db)).toBe(LATEST_VERSION);
        for (let v = 1; v <= from; v++) writtenAt[v]!.check(db);
        // The tables added by the upgrade work.
        for (let v = from + 1; v <= LATEST_VERSION; v++) writtenAt[v]!.write(db);
        for (let v = 1; v <= LATEST_VERSION; v++) writtenAt[v]!.check(db);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.pragma('foreign_key_check')).toEqual([]);
      } finally {
        db.close();
      }
    });
  }

  it('count, at version 4, the differing shadow comparisons a version 3 file holds, per endpoint, minute and signature', () => {
    const file = path.join(dir, 'v3.db');
    const old = new BetterSqlite3(file);
    migrate(old, 3);
    old.prepare(`INSERT INTO endpoints (id, method, path, route, source) VALUES (9, 'GET', '/api/users/{id}', 'users', 'traffic')`).run();
    const at = 28333333 * 60_000;
    const add = old.prepare(`INSERT INTO comparisons (at, endpoint_id, route, kind, outcome, signature) VALUES (?, 9, 'users', ?, ?, ?)`);
    // Two of sig1 in one minute, one in the next; one sig2; and rows the net match rate never reads from here.
    add.run(at + 5, 'shadow', 'differ', 'sig1');
    add.run(at + 59_999, 'shadow', 'differ', 'sig1');
    add.run(at + 60_000, 'shadow', 'differ', 'sig1');
    add.run(at + 7, 'shadow', 'differ', 'sig2');
    add.run(at + 8, 'shadow', 'match', '');
    add.run(at + 9, 'noise', 'differ', 'sig1');
    old.close();
    const db = openDatabase(file);
    try {
      expect(db.prepare(`SELECT endpoint_id, minute, signature, count FROM signature_minutes ORDER BY minute, signature`).all()).toEqual([
        { endpoint_id: 9, minute: 28333333, signature: 'sig1', count: 2 },
        { endpoint_id: 9, minute: 28333333, signature: 'sig2', count: 1 },
        { endpoint_id: 9, minute: 28333334, signature: 'sig1', count: 1 },
      ]);
    } finally {
      db.close();
    }
  });

  it('upgrade step by step to the same schema as from empty in one go', () => {
    const once = openDatabase(path.join(dir, 'once.db'));
    const stepwise = new BetterSqlite3(path.join(dir, 'steps.db'));
    for (let v = 1; v <= LATEST_VERSION; v++) expect(migrate(stepwise, v)).toEqual([v]);
    expect(schema(stepwise)).toEqual(schema(once));
    once.close();
    stepwise.close();
  });

  it('refuse a file from a newer strangler, naming the file and both versions, and leave it as it was', () => {
    const file = path.join(dir, 'future.db');
    const future = new BetterSqlite3(file);
    future.exec(`CREATE TABLE from_the_future (x INTEGER)`);
    future.pragma(`user_version = ${LATEST_VERSION + 1}`);
    future.close();

    expect(() => openDatabase(file)).toThrow(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*schema version ${LATEST_VERSION + 1}, newer than this strangler knows \\(${LATEST_VERSION}\\); upgrade strangler`),
    );
    const after = new BetterSqlite3(file, { readonly: true });
    expect(schemaVersion(after)).toBe(LATEST_VERSION + 1);
    expect(after.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all()).toEqual([{ name: 'from_the_future' }]);
    after.close();
  });

  it('refuse a file that is not a database, naming it', async () => {
    const file = path.join(dir, 'notes.db');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'these are my notes, not a SQLite file '.repeat(200));
    expect(() => openDatabase(file)).toThrow(new RegExp(`cannot use the database ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: file is not a database`));
  });

  it('are a no-op the second time, on the same connection and on a reopen', () => {
    const file = path.join(dir, 'ledger.db');
    const db = openDatabase(file);
    writtenAt[1]!.write(db);
    const before = schema(db);
    expect(migrate(db)).toEqual([]);
    db.close();
    const again = openDatabase(file);
    expect(schemaVersion(again)).toBe(LATEST_VERSION);
    expect(schema(again)).toEqual(before);
    expect(migrate(again)).toEqual([]);
    writtenAt[1]!.check(again);
    again.close();
  });

  it('hold when several processes open the same fresh file at once (the proxy and a CLI command, say)', { timeout: 180_000 }, async () => {
    await ensureBuilt();
    const file = path.join(dir, 'shared.db');
    const openIt = `import { openDatabase } from ${JSON.stringify(path.join(REPO, 'dist/src/store/open-database.js'))};
      const at = Number(process.argv[1]); while (Date.now() < at) {}
      openDatabase(${JSON.stringify(file)}).close();`;
    // Each waits for the same moment, so the opens overlap as much as they can.
    const at = Date.now() + 1_500;
    const runs = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', openIt, String(at)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      return new Promise<{ code: number | null; err: string }>((resolve) => child.on('exit', (code) => resolve({ code, err })));
    });
    const results = await Promise.all(runs);
    expect(results.filter((r) => r.code !== 0).map((r) => r.err)).toEqual([]);
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
