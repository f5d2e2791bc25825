import { statSync } from 'node:fs';
import type { Database } from 'better-sqlite3';
import { withBusyTimeout } from './busy-timeout.js';
import { minuteOf } from './traffic.js';

/**
 * Deletes old per-minute traffic by age and, when the file is over its size
 * budget, the oldest minutes first. It works in small steps (a few thousand
 * rows per step, one step per tick) so the data plane's event loop never
 * stalls behind a long delete.
 */
export interface RetentionPolicy {
  days: number;
  maxMb: number;
}

/** Rows deleted per step at most: a few milliseconds of work. */
export const STEP_ROWS = 2_000;

function fileBytes(db: Database): number {
  try {
    const main = statSync(db.name).size;
    let wal = 0;
    try {
      wal = statSync(`${db.name}-wal`).size;
    } catch {
      /* no WAL file yet */
    }
    return main + wal;
  } catch {
    return 0;
  }
}

/** One step; returns the rows deleted, 0 when there is nothing left to do. */
export function retentionStep(db: Database, policy: RetentionPolicy, now = Date.now(), stepRows = STEP_ROWS): number {
  const cutoff = minuteOf(now - policy.days * 86_400_000);
  const byAge = db
    .prepare(`DELETE FROM traffic_minutes WHERE (endpoint_id, minute, target) IN (SELECT endpoint_id, minute, target FROM traffic_minutes WHERE minute < ? LIMIT ?)`)
    .run(cutoff, stepRows).changes;
  if (byAge > 0) return byAge;
  const cutoffMs = cutoff * 60_000;
  for (const sql of [
    `DELETE FROM comparisons WHERE id IN (SELECT id FROM comparisons WHERE at < ? LIMIT ?)`,
    `DELETE FROM samples WHERE id IN (SELECT id FROM samples WHERE at < ? LIMIT ?)`,
  ]) {
    const n = db.prepare(sql).run(cutoffMs, stepRows).changes;
    if (n > 0) return n;
  }
  for (const sql of [
    `DELETE FROM comparison_minutes WHERE (endpoint_id, minute, kind, outcome) IN (SELECT endpoint_id, minute, kind, outcome FROM comparison_minutes WHERE minute < ? LIMIT ?)`,
    `DELETE FROM difference_minutes WHERE (endpoint_id, minute, path, kind) IN (SELECT endpoint_id, minute, path, kind FROM difference_minutes WHERE minute < ? LIMIT ?)`,
    `DELETE FROM signature_minutes WHERE (endpoint_id, minute, signature) IN (SELECT endpoint_id, minute, signature FROM signature_minutes WHERE minute < ? LIMIT ?)`,
  ]) {
    const n = db.prepare(sql).run(cutoff, stepRows).changes;
    if (n > 0) return n;
  }
  // Size: pages in use, not the file size, since SQLite reuses freed pages without shrinking the file.
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const used = (pages - free) * pageSize;
  if (used <= policy.maxMb * 1024 * 1024 || fileBytes(db) === 0) return 0;
  // The oldest rows, a step's worth, even across minutes: with few endpoints a minute is only a handful of rows.
  // Comparison rows are the bulk of a busy shadow ledger, so they go first.
  const comparisons = db.prepare(`DELETE FROM comparisons WHERE id IN (SELECT id FROM comparisons ORDER BY at LIMIT ?)`).run(stepRows).changes;
  if (comparisons > 0) return comparisons;
  return db
    .prepare(
      `DELETE FROM traffic_minutes WHERE (endpoint_id, minute, target) IN (SELECT endpoint_id, minute, target FROM traffic_minutes ORDER BY minute LIMIT ?)`,
    )
    .run(stepRows).changes;
}

/** Runs steps on a timer, off the hot path; a step that deletes something schedules the next one soon. */
export function startRetention(db: Database, policy: RetentionPolicy, onError: (err: Error) => void, everyMs = 60_000): () => void {
  let timer: NodeJS.Timeout;
  const tick = () => {
    let next = everyMs;
    try {
      // On the data plane's thread: a database another process holds locked fails this step, it does not stall requests.
      if (withBusyTimeout(db, 100, () => retentionStep(db, policy)) > 0) next = 200;
    } catch (err) {
      onError(err as Error);
    }
    timer = setTimeout(tick, next);
    timer.unref();
  };
  timer = setTimeout(tick, 1_000);
  timer.unref();
  return () => clearTimeout(timer);
}
