import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchedWriter } from '../src/store/batched-writer.js';
import { openDatabase } from '../src/store/open-database.js';
import { TrafficStore, type TrafficRecord } from '../src/store/traffic.js';
import { ensureBuilt, startLegacy, startStrangler, writeRuleFile } from './helpers/strangler-process.js';

const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** A write function that remembers every batch and when it came. */
function recorder<T>() {
  const batches: Array<{ at: number; rows: T[] }> = [];
  return {
    batches,
    rows: () => batches.flatMap((b) => b.rows),
    write: (rows: T[]) => {
      batches.push({ at: performance.now(), rows: [...rows] });
    },
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'strangler-writer-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('BatchedWriter', () => {
  it('never writes inside push, even when a batch is full', () => {
    const r = recorder<number>();
    const w = new BatchedWriter(r.write);
    for (let i = 0; i < 250; i++) expect(w.push(i)).toBe(true);
    expect(r.batches).toEqual([]);
    expect(w.stats.queued).toBe(250);
    w.close();
  });

  it('flushes by size: 100 queued rows are written in one batch before the 50 ms timer', async () => {
    const r = recorder<number>();
    const w = new BatchedWriter(r.write);
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) w.push(i);
    await tick();
    expect(r.batches.map((b) => b.rows.length)).toEqual([100]);
    expect(r.batches[0]!.at - t0).toBeLessThan(50);
    expect(r.rows()).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(w.stats).toMatchObject({ written: 100, batches: 1, queued: 0, dropped: 0 });
    w.close();
  });

  it('flushes by size whatever the interval: 1 000 rows with a one-minute timer are all written at once, in order', async () => {
    const r = recorder<number>();
    const w = new BatchedWriter(r.write, { intervalMs: 60_000 });
    for (let i = 0; i < 1_000; i++) w.push(i);
    await until('1 000 rows', () => r.rows().length === 1_000);
    expect(r.batches.every((b) => b.rows.length === 100)).toBe(true);
    expect(r.rows()).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
    w.close();
  });

  it('flushes by time: 99 rows are not written by size, and a few rows go out after about 50 ms', async () => {
    const r = recorder<string>();
    const w = new BatchedWriter(r.write);
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) w.push(`row ${i}`);
    await tick();
    await sleep(10);
    expect(r.batches).toEqual([]);
    await until('the timed flush', () => r.batches.length > 0);
    const waited = r.batches[0]!.at - t0;
    expect(waited).toBeGreaterThanOrEqual(45);
    expect(waited).toBeLessThan(500);
    expect(r.rows()).toEqual(['row 0', 'row 1', 'row 2']);

    // 99 is one short of a batch: the timer, not the size, writes it.
    const t1 = performance.now();
    for (let i = 0; i < 99; i++) w.push(`more ${i}`);
    await tick();
    expect(r.batches).toHaveLength(1);
    await until('the second timed flush', () => r.batches.length === 2);
    expect(r.batches[1]!.rows).toHaveLength(99);
    expect(r.batches[1]!.at - t1).toBeGreaterThanOrEqual(45);
    w.close();
  });

  it('writes everything queued on close(), in batches of 100, and refuses rows after it', () => {
    const r = recorder<number>();
    const w = new BatchedWriter(r.write, { intervalMs: 60_000 });
    for (let i = 0; i < 250; i++) w.push(i);
    w.close();
    expect(r.batches.map((b) => b.rows.length)).toEqual([100, 100, 50]);
    expect(r.rows()).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(w.stats).toMatchObject({ written: 250, queued: 0, dropped: 0 });
    expect(w.push(250)).toBe(false);
    expect(w.stats.dropped).toBe(1);
    w.close();
    expect(r.rows()).toHaveLength(250);
  });

  it('leaves no timer behind after close(), so a process can exit', async () => {
    const r = recorder<number>();
    const w = new BatchedWriter(r.write, { intervalMs: 20 });
    for (let i = 0; i < 150; i++) w.push(i);
    w.close();
    await sleep(60);
    expect(r.batches.map((b) => b.rows.length)).toEqual([100, 50]);
  });

  it('drops and counts rows when the queue is full, and push says false', async () => {
    const r = recorder<number>();
    const w = new BatchedWriter(r.write, { maxQueue: 10, intervalMs: 60_000 });
    const accepted = Array.from({ length: 25 }, (_, i) => w.push(i));
    expect(accepted.filter(Boolean)).toHaveLength(10);
    expect(accepted.slice(10).every((a) => a === false)).toBe(true);
    expect(w.stats.dropped).toBe(15);
    expect(w.stats.queued).toBe(10);
    w.flush();
    expect(r.rows()).toEqual(Array.from({ length: 10 }, (_, i) => i));
    // Room again once written.
    expect(w.push(99)).toBe(true);
    w.close();
    expect(w.stats).toMatchObject({ written: 11, dropped: 15 });
  });

  it('counts a batch whose write throws as dropped, reports it, and keeps writing later batches', async () => {
    const written: number[] = [];
    const errors: Array<{ message: string; lost: number }> = [];
    let fail = true;
    const w = new BatchedWriter<number>(
      (rows) => {
        if (fail) {
          fail = false;
          throw new Error('SQLITE_FULL: database or disk is full');
        }
        written.push(...rows);
      },
      { onError: (err, lost) => errors.push({ message: err.message, lost }) },
    );
    for (let i = 0; i < 100; i++) w.push(i);
    await tick();
    expect(errors).toEqual([{ message: 'SQLITE_FULL: database or disk is full', lost: 100 }]);
    expect(w.stats).toMatchObject({ dropped: 100, failedBatches: 1, written: 0 });

    for (let i = 100; i < 130; i++) expect(w.push(i)).toBe(true);
    await until('the next batch', () => written.length === 30);
    expect(written).toEqual(Array.from({ length: 30 }, (_, i) => 100 + i));
    expect(w.stats).toMatchObject({ dropped: 100, failedBatches: 1, written: 30 });
    w.close();
  });

  it('keeps working when the error report itself throws', async () => {
    let calls = 0;
    const written: number[] = [];
    const w = new BatchedWriter<number>(
      (rows) => {
        if (calls++ === 0) throw new Error('disk I/O error');
        written.push(...rows);
      },
      {
        onError: () => {
          throw new Error('the logger is gone too');
        },
      },
    );
    w.push(1);
    await until('the failed batch', () => w.stats.failedBatches === 1);
    w.push(2);
    await until('the next batch', () => written.length === 1);
    expect(written).toEqual([2]);
    expect(w.stats.dropped).toBe(1);
    w.close();
  });

  it('pauses retryMs after a failed batch instead of trying every batch; records queue meanwhile and go out when the disk is back', () => {
    vi.useFakeTimers();
    try {
      let attempts = 0;
      let failing = true;
      const written: number[] = [];
      const w = new BatchedWriter<number>(
        (rows) => {
          attempts++;
          if (failing) throw new Error('database is locked');
          written.push(...rows);
        },
        { retryMs: 1_000 },
      );
      for (let i = 0; i < 100; i++) w.push(i);
      vi.advanceTimersByTime(0);
      expect(attempts).toBe(1);
      expect(w.stats).toMatchObject({ failedBatches: 1, dropped: 100 });

      // Three batches' worth within the pause: not one attempt, nothing dropped.
      for (let i = 100; i < 400; i++) expect(w.push(i)).toBe(true);
      vi.advanceTimersByTime(999);
      expect(attempts).toBe(1);
      expect(w.stats).toMatchObject({ queued: 300, dropped: 100 });

      failing = false;
      vi.advanceTimersByTime(1);
      vi.runOnlyPendingTimers();
      expect(written).toEqual(Array.from({ length: 300 }, (_, i) => 100 + i));
      expect(w.stats).toMatchObject({ written: 300, dropped: 100, failedBatches: 1, queued: 0 });

      // Closing while the disk fails: one last try, and what it still refuses is dropped and counted.
      failing = true;
      for (let i = 0; i < 250; i++) w.push(i);
      const before = attempts;
      w.close();
      expect(attempts).toBe(before + 1);
      expect(w.stats).toMatchObject({ dropped: 350, queued: 0, failedBatches: 2 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the event loop turning while it works through a backlog', async () => {
    let turns = 0;
    const spin = setInterval(() => turns++, 0);
    const r = recorder<number>();
    // A slow disk: each batch takes about 2 ms.
    const w = new BatchedWriter<number>((rows) => {
      const until = performance.now() + 2;
      while (performance.now() < until) {
        /* busy */
      }
      r.write(rows);
    });
    for (let i = 0; i < 5_000; i++) w.push(i);
    await until('the backlog', () => r.rows().length === 5_000, 5_000);
    clearInterval(spin);
    // 50 batches of ~2 ms; drained 8 at a time, timers run between the bursts.
    expect(turns).toBeGreaterThan(2);
    w.close();
  });

  it('writes real traffic rows to SQLite: 10 000 records become per-minute rows that add up', async () => {
    const db = openDatabase(path.join(dir, 'ledger.db'));
    const store = new TrafficStore(db);
    const w = new BatchedWriter<TrafficRecord>((batch) => store.write(batch));
    const t0 = Date.UTC(2024, 4, 1, 12, 0, 0);
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) {
      w.push({
        method: 'GET',
        path: `/api/items/{id}`,
        route: 'items',
        target: i % 10 === 0 ? 'items-svc' : 'legacy',
        status: 200,
        fellBack: false,
        startedAt: t0 + i,
        durationMs: 3,
        bytesIn: 100,
        bytesOut: 500,
      });
    }
    await until('10 000 records', () => w.stats.written === 10_000, 10_000);
    const ms = performance.now() - started;
    w.close();
    const row = db.prepare(`SELECT SUM(requests) AS n, SUM(bytes_out) AS out, COUNT(*) AS rows FROM traffic_minutes`).get();
    expect(row).toEqual({ n: 10_000, out: 5_000_000, rows: 2 });
    expect(w.stats).toMatchObject({ dropped: 0, failedBatches: 0, batches: 100 });
    console.log(`writer → SQLite: 10 000 records in ${ms.toFixed(0)} ms (${Math.round(10_000 / (ms / 1000))} records/s)`);
    db.close();
  });
});

describe('the ledger on SIGTERM', () => {
  let legacy: Awaited<ReturnType<typeof startLegacy>>;
  beforeAll(async () => {
    legacy = await startLegacy();
    await ensureBuilt();
  }, 180_000);
  afterAll(() => legacy?.close());

  it('holds every exchange the client got an answer to, when the proxy is stopped under traffic', { timeout: 60_000 }, async () => {
    const ruleFile = writeRuleFile(dir, legacy.url);
    const proc = await startStrangler(ruleFile);
    const pool = new Pool(proc.url, { connections: 20, pipelining: 1 });
    let answered = 0;
    let failed = 0;
    let stopSending = false;
    const worker = async (w: number) => {
      for (let i = 0; !stopSending; i++) {
        const paths = [`/api/orders/${w * 100_000 + i}`, `/api/customers/${i % 50}/invoices`, `/health`, `/api/missing/${i}`];
        try {
          const res = await pool.request({ method: 'GET', path: paths[i % paths.length]! });
          await res.body.text();
          answered++;
        } catch {
          failed++;
          return;
        }
      }
    };
    const workers = Array.from({ length: 20 }, (_, w) => worker(w));
    await until('traffic', () => answered >= 1_500, 15_000);
    proc.child.kill('SIGTERM');
    // A load balancer takes a moment to notice: requests keep coming for a few ms more.
    await sleep(20);
    stopSending = true;
    await Promise.all(workers);
    await pool.close();
    const exit = await proc.exited;
    expect(exit, proc.output()).toEqual({ code: 0, signal: null });
    expect(proc.output()).toContain('flushing the ledger');

    const db = openDatabase(path.join(dir, 'ledger.db'));
    const recorded = db.prepare(`SELECT SUM(requests) AS n FROM traffic_minutes`).get() as { n: number };
    const byClass = db.prepare(`SELECT SUM(s2xx) AS ok, SUM(s4xx) AS missing, SUM(errors) AS errors FROM traffic_minutes`).get();
    db.close();
    console.log(`SIGTERM under load: ${answered} answered, ${failed} refused after the signal, ${recorded.n} in the ledger`);
    expect(recorded.n).toBe(answered);
    expect(byClass).toEqual({ ok: answered - (byClass as { missing: number }).missing, missing: expect.any(Number), errors: 0 });
  });
});
