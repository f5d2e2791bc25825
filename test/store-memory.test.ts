import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ComparisonStore, type ComparisonRow } from '../src/store/comparisons.js';
import { databaseBytes, openDatabase, PAGE_CACHE_KIB, type Database } from '../src/store/open-database.js';
import { memoryFigures } from '../bench/memory-figures.js';
import { TrafficStore } from '../src/store/traffic.js';

let dir: string;
let db: Database;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'strangler-memory-'));
  db = openDatabase(path.join(dir, 'ledger.db'));
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const MB = 1024 * 1024;
const fileBytes = () => databaseBytes(db);
/** Resident memory that is neither the JS heap nor V8's external memory: malloc, where SQLite keeps its page cache (as the soak reports it). */
const nativeBytes = () => memoryFigures().nativeOtherBytes!;

describe('the ledger connection', () => {
  it('keeps a page cache of SQLite’s own default size, not better-sqlite3’s 16 MB', () => {
    expect(db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
    expect(PAGE_CACHE_KIB).toBeLessThanOrEqual(4000);
  });

  // The soak's symptom: RSS grew by the page cache's size over the first minutes of shadowed traffic, then stopped.
  it.skipIf(!existsSync('/proc/self/status'))('does not grow in memory as the file it appends to grows', { timeout: 60_000 }, () => {
    const traffic = new TrafficStore(db);
    const comparisons = new ComparisonStore(db);
    let at = Date.UTC(2024, 4, 1, 12);
    const endpointId = traffic.endpointId('GET', '/api/items/{id}', 'items', 'traffic', at);
    const row = (): ComparisonRow => ({
      endpointId,
      at: at++,
      route: 'items',
      kind: 'shadow',
      outcome: 'match',
      attempted: true,
      legacyStatus: 200,
      otherStatus: 200,
      legacyMs: 3,
      otherMs: 4,
      signature: '',
      groups: [],
      exchange: null,
      sample: null,
    });
    // One transaction per batch, as the ledger writes them.
    const batch = db.transaction(() => {
      for (let i = 0; i < 1000; i++) comparisons.write([row()]);
    });
    const growTo = (bytes: number) => {
      while (fileBytes() < bytes) batch.immediate();
    };
    growTo(4 * MB);
    const before = nativeBytes();
    growTo(24 * MB);
    const grown = nativeBytes() - before;
    // With a 16 MB cache this is 12 MB or more: every page appended stays cached until the cache is full.
    expect(grown).toBeLessThan(4 * MB);
  });
});
