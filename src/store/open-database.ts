import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { addBlobInto, emptyHistogram, fromBlob, toBlob } from './latency-histogram.js';
import { migrate } from './migrations.js';

export type { Database };

/**
 * SQLite's page cache per connection, KiB. better-sqlite3 builds SQLite
 * with a 16 MB default; the ledger appends (comparisons, minute rows), so a
 * cache that size fills with pages the writer never reads again, and the
 * process grows by 16 MB per connection (one per data-plane worker) over
 * the first minutes of traffic. What the writer does touch, the right edges
 * of its tables and this minute's rows, is read back from the OS's cache
 * when it is not in this one: at 2,000 endpoints a write took as long with
 * 2 MB as with 16 MB. 2 MB is SQLite's own default.
 */
export const PAGE_CACHE_KIB = 2000;

/** How long a second process waits for the lock, in SQLite's busy handler and in whileBusy. */
const BUSY_TIMEOUT_MS = 5000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs the setup of a connection again while SQLite answers SQLITE_BUSY,
 * up to BUSY_TIMEOUT_MS. Some lock conflicts are answered at once, without
 * the busy handler: several processes opening one fresh file together (the
 * proxy, a CLI command, data-plane workers) meet them while switching it to
 * WAL and migrating it. The pragmas are idempotent and each migration step
 * re-reads the version inside its own transaction, so a retry is safe.
 */
function whileBusy(setup: () => void): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      setup();
      return;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw err;
      // Once, at startup: a short synchronous wait before trying again.
      Atomics.wait(pause, 0, 0, 20);
    }
  }
}

/**
 * Opens (creating if needed) the ledger database: WAL so readers (admin,
 * CLI) never block the writer, synchronous=NORMAL because a crash may lose
 * the last transaction but never corrupts the file, a busy timeout so a
 * second process waits instead of failing, and a page cache sized for an
 * append-mostly file (PAGE_CACHE_KIB).
 */
export function openDatabase(file: string, opts: { readonly?: boolean; migrate?: boolean } = {}): Database {
  if (file !== ':memory:' && !opts.readonly) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let db: Database;
  try {
    db = new BetterSqlite3(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw withCode(`cannot open the database ${file}`, err);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    // Merging latency histograms inside an upsert keeps a minute's row one statement.
    db.function('hist_merge', { deterministic: true }, (a: unknown, b: unknown) =>
      toBlob(addBlobInto(fromBlob(a as Buffer | null), b as Buffer | null)),
    );
    // Summing a window's histograms inside the query keeps its minute rows in SQLite: see TrafficStore.endpoints.
    db.aggregate('hist_sum', {
      start: emptyHistogram,
      step: (sum: Uint32Array, blob: unknown) => addBlobInto(sum, blob as Buffer | null),
      result: (sum: Uint32Array) => toBlob(sum),
    });
    whileBusy(() => {
      if (!opts.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
      }
      if (opts.migrate !== false && !opts.readonly) migrate(db);
    });
  } catch (err) {
    // A file that is not a ledger, or one from a newer strangler: say which file, and do not hold it open.
    db.close();
    throw withCode(`cannot use the database ${file}`, err);
  }
  return db;
}

/** The error with the file named, keeping SQLite's code: the admin API answers a locked or unreadable ledger with 503 by it. */
function withCode(what: string, err: unknown): Error {
  const e = err as Error & { code?: unknown };
  return Object.assign(new Error(`${what}: ${e.message}`, { cause: err }), typeof e.code === 'string' ? { code: e.code } : {});
}

/** The main file's size as SQLite counts it (page_count × page_size; the WAL aside). */
export function databaseBytes(db: Database): number {
  return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
}
