import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { addInto, fromBlob, toBlob } from './latency-histogram.js';
import { migrate } from './migrations.js';
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
/**
 * Opens (creating if needed) the ledger database: WAL so readers (admin,
 * CLI) never block the writer, synchronous=NORMAL because a crash may lose
 * the last transaction but never corrupts the file, a busy timeout so a
 * second process waits instead of failing, and a page cache sized for an
 * append-mostly file (PAGE_CACHE_KIB).
 */
export function openDatabase(file, opts = {}) {
    if (file !== ':memory:' && !opts.readonly)
        mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    let db;
    try {
        db = new BetterSqlite3(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
    }
    catch (err) {
        throw new Error(`cannot open the database ${file}: ${err.message}`);
    }
    try {
        db.pragma('busy_timeout = 5000');
        db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
        if (!opts.readonly) {
            db.pragma('journal_mode = WAL');
            db.pragma('synchronous = NORMAL');
            db.pragma('foreign_keys = ON');
        }
        // Merging latency histograms inside an upsert keeps a minute's row one statement.
        db.function('hist_merge', { deterministic: true }, (a, b) => toBlob(addInto(fromBlob(a), fromBlob(b))));
        if (opts.migrate !== false && !opts.readonly)
            migrate(db);
    }
    catch (err) {
        // A file that is not a ledger, or one from a newer strangler: say which file, and do not hold it open.
        db.close();
        throw new Error(`cannot use the database ${file}: ${err.message}`);
    }
    return db;
}
/** The main file's size as SQLite counts it (page_count × page_size; the WAL aside). */
export function databaseBytes(db) {
    return db.pragma('page_count', { simple: true }) * db.pragma('page_size', { simple: true });
}
//# sourceMappingURL=open-database.js.map