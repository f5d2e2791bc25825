import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { addInto, fromBlob, toBlob } from './latency-histogram.js';
import { migrate } from './migrations.js';

export type { Database };

/**
 * Opens (creating if needed) the ledger database: WAL so readers (admin,
 * CLI) never block the writer, synchronous=NORMAL because a crash may lose
 * the last transaction but never corrupts the file, and a busy timeout so
 * a second process waits instead of failing.
 */
export function openDatabase(file: string, opts: { readonly?: boolean; migrate?: boolean } = {}): Database {
  if (file !== ':memory:' && !opts.readonly) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let db: Database;
  try {
    db = new BetterSqlite3(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw new Error(`cannot open the database ${file}: ${(err as Error).message}`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    }
    // Merging latency histograms inside an upsert keeps a minute's row one statement.
    db.function('hist_merge', { deterministic: true }, (a: unknown, b: unknown) =>
      toBlob(addInto(fromBlob(a as Buffer | null), fromBlob(b as Buffer | null))),
    );
    if (opts.migrate !== false && !opts.readonly) migrate(db);
  } catch (err) {
    // A file that is not a ledger, or one from a newer strangler: say which file, and do not hold it open.
    db.close();
    throw new Error(`cannot use the database ${file}: ${(err as Error).message}`);
  }
  return db;
}
