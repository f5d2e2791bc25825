import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseOpenApiText } from '../src/progress/openapi.js';
import { BOUNDS_MS, bucketIndex, emptyHistogram, fromBlob, quantile, toBlob } from '../src/store/latency-histogram.js';
import { openDatabase, type Database } from '../src/store/open-database.js';
import { retentionStep, STEP_ROWS } from '../src/store/retention.js';
import { minuteOf, TrafficStore, type TrafficRecord } from '../src/store/traffic.js';

let dir: string;
let db: Database;
let store: TrafficStore;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'strangler-traffic-'));
  db = openDatabase(path.join(dir, 'ledger.db'));
  store = new TrafficStore(db);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const MINUTE = 60_000;

function rec(over: Partial<TrafficRecord> = {}): TrafficRecord {
  return {
    method: 'GET',
    path: '/api/orders/{id}',
    route: 'orders',
    target: 'legacy',
    status: 200,
    fellBack: false,
    startedAt: T0,
    durationMs: 10,
    bytesIn: 100,
    bytesOut: 1_000,
    ...over,
  };
}

const only = <T>(xs: T[]): T => {
  expect(xs).toHaveLength(1);
  return xs[0]!;
};

describe('TrafficStore', () => {
  it('merges counts, bytes and latency histograms of the same endpoint, minute and target across batches', () => {
    store.write([rec({ durationMs: 4 }), rec({ durationMs: 40, bytesOut: 2_000 })]);
    store.write([rec({ durationMs: 400, startedAt: T0 + 30_000 })]);
    store.write([rec({ durationMs: 4, status: 503 })]);

    const rows = db.prepare(`SELECT requests, s2xx, s5xx, bytes_in, bytes_out, latency_sum, histogram FROM traffic_minutes`).all() as Array<{
      requests: number;
      histogram: Buffer;
    }>;
    const row = only(rows);
    expect(row).toMatchObject({ requests: 4, s2xx: 3, s5xx: 1, bytes_in: 400, bytes_out: 5_000, latency_sum: 448 });
    const h = fromBlob(row.histogram);
    expect([...h].reduce((a, b) => a + b, 0)).toBe(4);
    expect(h[bucketIndex(4)]).toBe(2);
    expect(h[bucketIndex(40)]).toBe(1);
    expect(h[bucketIndex(400)]).toBe(1);
  });

  it('keeps one row per endpoint, minute and target, so the table grows with endpoints, not requests', () => {
    const batch: TrafficRecord[] = [];
    for (let i = 0; i < 3_000; i++) {
      batch.push(
        rec({
          path: i % 3 === 0 ? '/api/orders/{id}' : '/api/users/{id}',
          target: i % 2 === 0 ? 'legacy' : 'orders-svc',
          startedAt: T0 + (i % 2_000) * 60, // two minutes
        }),
      );
    }
    for (let i = 0; i < batch.length; i += 100) store.write(batch.slice(i, i + 100));
    expect(db.prepare(`SELECT COUNT(*) AS n, SUM(requests) AS requests FROM traffic_minutes`).get()).toEqual({ n: 2 * 2 * 2, requests: 3_000 });
    expect(db.prepare(`SELECT COUNT(*) AS n FROM endpoints`).get()).toEqual({ n: 2 });
  });

  it('reads p50 and p95 back from the histogram close to the true values', () => {
    // 1 ms … 100 ms, once each: the true p50 is 50 ms and the true p95 is 95 ms.
    store.write(Array.from({ length: 100 }, (_, i) => rec({ durationMs: i + 1 })));
    const e = only(store.endpoints());
    expect(e.p50Ms).toBeGreaterThanOrEqual(45);
    expect(e.p50Ms).toBeLessThanOrEqual(55);
    expect(e.p95Ms).toBeGreaterThanOrEqual(90);
    expect(e.p95Ms).toBeLessThanOrEqual(100);

    // A slow tail across minutes and batches: 90 fast requests and 10 at 1.2 s.
    for (let minute = 0; minute < 10; minute++) {
      store.write([
        ...Array.from({ length: 9 }, () => rec({ path: '/api/slow', durationMs: 8, startedAt: T0 + minute * MINUTE })),
        rec({ path: '/api/slow', durationMs: 1_200, startedAt: T0 + minute * MINUTE + 1 }),
      ]);
    }
    const s = store.endpoints().find((x) => x.path === '/api/slow')!;
    expect(s.requests).toBe(100);
    expect(s.p50Ms).toBeGreaterThan(7);
    expect(s.p50Ms).toBeLessThanOrEqual(10);
    expect(s.p95Ms).toBeGreaterThan(1_000);
    expect(s.p95Ms).toBeLessThanOrEqual(1_500);
  });

  it('keeps a histogram in a few dozen integers, whatever the latency', () => {
    const h = emptyHistogram();
    for (const ms of [0, 0.2, 1, 1.5, 999, 30_000, 45_000, 10_000_000]) h[bucketIndex(ms)]!++;
    expect(toBlob(h).byteLength).toBe((BOUNDS_MS.length + 1) * 4);
    expect([...fromBlob(toBlob(h))]).toEqual([...h]);
    expect(quantile(emptyHistogram(), 0.5)).toBeNull();
    // Above the last bound: still a finite number.
    const tail = emptyHistogram();
    tail[bucketIndex(100_000)] = 1;
    expect(Number.isFinite(quantile(tail, 0.99))).toBe(true);
  });

  it('counts status classes, target errors, fallbacks and requests per target', () => {
    store.write([
      rec({ status: 101 }),
      rec({ status: 200 }),
      rec({ status: 204 }),
      rec({ status: 304 }),
      rec({ status: 404 }),
      rec({ status: 429 }),
      rec({ status: 502 }),
      rec({ status: 0 }),
      rec({ target: 'orders-svc', status: 201 }),
      rec({ target: 'orders-svc', status: 500 }),
      rec({ target: 'legacy', status: 200, fellBack: true }),
    ]);
    const e = only(store.endpoints());
    expect(e.requests).toBe(11);
    expect(e.byTarget).toEqual({ legacy: 9, 'orders-svc': 2 });
    expect(e.statusClasses).toEqual({ '1xx': 1, '2xx': 4, '3xx': 1, '4xx': 2, '5xx': 2, error: 1 });
    expect(e.fallbacks).toBe(1);
    expect(store.totals(0)).toEqual({ total: 11, byTarget: { legacy: 9, 'orders-svc': 2 } });
    expect(store.totals(0, 'orders')).toEqual({ total: 11, byTarget: { legacy: 9, 'orders-svc': 2 } });
    expect(store.totals(0, 'someone-else')).toEqual({ total: 0, byTarget: {} });
  });

  it('sums bytes in and out', () => {
    store.write([rec({ bytesIn: 120, bytesOut: 3_000 }), rec({ bytesIn: 80, bytesOut: 7_000, target: 'orders-svc' })]);
    store.write([rec({ bytesIn: 1, bytesOut: 1 })]);
    const e = only(store.endpoints());
    expect(e.bytesIn).toBe(201);
    expect(e.bytesOut).toBe(10_001);
  });

  it('lists every endpoint but counts only the traffic inside the window', () => {
    store.write([
      rec({ path: '/api/old', startedAt: T0 - 3 * 3_600_000 }),
      rec({ path: '/api/orders/{id}', startedAt: T0 - 3 * 3_600_000 }),
      rec({ path: '/api/orders/{id}', startedAt: T0 - 2 * MINUTE, durationMs: 5 }),
      rec({ path: '/api/orders/{id}', startedAt: T0, durationMs: 5 }),
    ]);
    const all = store.endpoints(0);
    expect(all.map((e) => [e.path, e.requests])).toEqual([
      ['/api/old', 1],
      ['/api/orders/{id}', 3],
    ]);
    const recent = store.endpoints(T0 - 5 * MINUTE);
    expect(recent.map((e) => [e.path, e.requests])).toEqual([
      ['/api/old', 0],
      ['/api/orders/{id}', 2],
    ]);
    const old = recent.find((e) => e.path === '/api/old')!;
    expect(old).toMatchObject({ p50Ms: null, p95Ms: null, byTarget: {} });
    // The inventory still knows when it was last seen.
    expect(old.lastSeen).toBe(new Date(T0 - 3 * 3_600_000).toISOString());
    const orders = recent.find((e) => e.path === '/api/orders/{id}')!;
    expect(orders.firstSeen).toBe(new Date(T0 - 3 * 3_600_000).toISOString());
    expect(orders.lastSeen).toBe(new Date(T0).toISOString());
    expect(store.series(T0 - 5 * MINUTE)).toEqual([
      { minute: minuteOf(T0 - 2 * MINUTE), target: 'legacy', requests: 1 },
      { minute: minuteOf(T0), target: 'legacy', requests: 1 },
    ]);
  });

  it('seeds endpoints from an OpenAPI file that traffic has not shown yet, once', () => {
    const file = fileURLToPath(new URL('./fixtures/openapi-shop.yaml', import.meta.url));
    const parsed = parseOpenApiText(readFileSync(file, 'utf8'), file);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.endpoints.length).toBeGreaterThan(2);

    expect(store.seed(parsed.endpoints)).toBe(parsed.endpoints.length);
    expect(store.seed(parsed.endpoints)).toBe(0);
    const listed = store.endpoints();
    expect(listed).toHaveLength(parsed.endpoints.length);
    for (const e of listed) expect(e).toMatchObject({ source: 'openapi', requests: 0, firstSeen: null, lastSeen: null });

    // Traffic to a seeded endpoint counts on it; it stays known as coming from the OpenAPI file.
    const target = parsed.endpoints[0]!;
    store.write([rec({ method: target.method, path: target.path, startedAt: T0 })]);
    const after = store.endpoints();
    expect(after).toHaveLength(parsed.endpoints.length);
    expect(after.find((e) => e.method === target.method && e.path === target.path)).toMatchObject({
      source: 'openapi',
      requests: 1,
      firstSeen: new Date(T0).toISOString(),
    });
    // Lower-case methods from a hand-written list are stored as HTTP spells them.
    expect(store.seed([{ method: 'get', path: '/api/extra' }])).toBe(1);
    expect(store.endpoints().find((e) => e.path === '/api/extra')?.method).toBe('GET');
  });

  it('survives a batch that fails half-way: later batches for the same new endpoint are still written', () => {
    // NaN minute: the endpoint row is inserted, then the upsert fails, and the rollback takes the endpoint back.
    expect(() => store.write([rec({ path: '/api/new/{id}', startedAt: Number.NaN })])).toThrow();
    expect(db.prepare(`SELECT COUNT(*) AS n FROM endpoints`).get()).toEqual({ n: 0 });

    store.write([rec({ path: '/api/new/{id}' })]);
    const e = only(store.endpoints());
    expect(e).toMatchObject({ path: '/api/new/{id}', requests: 1 });
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('keeps the ledger readable by a second connection while it writes (WAL)', () => {
    const reader = openDatabase(path.join(dir, 'ledger.db'), { readonly: true });
    store.write([rec()]);
    const tx = db.transaction(() => {
      store.write([rec()]);
      // The reader sees the last committed state and does not wait for the writer.
      expect(reader.prepare(`SELECT SUM(requests) AS n FROM traffic_minutes`).get()).toEqual({ n: 1 });
    });
    tx();
    expect(reader.prepare(`SELECT SUM(requests) AS n FROM traffic_minutes`).get()).toEqual({ n: 2 });
    reader.close();
  });
});

describe('retention', () => {
  /** Rows spread over `minutes` minutes ending at `end`, `perMinute` endpoints each, written straight to the table. */
  function fill(minutes: number, perMinute: number, end: number): void {
    const ids = Array.from({ length: perMinute }, (_, i) => store.endpointId('GET', `/api/e${i}`, null, 'traffic', end));
    const insert = db.prepare(
      `INSERT INTO traffic_minutes (endpoint_id, minute, target, route, requests, s2xx, bytes_in, bytes_out, latency_sum, histogram)
       VALUES (?, ?, 'legacy', NULL, 10, 10, 1000, 20000, 50, ?)`,
    );
    const h = toBlob(emptyHistogram());
    db.transaction(() => {
      for (let m = 0; m < minutes; m++) for (const id of ids) insert.run(id, minuteOf(end) - m, h);
    })();
  }

  const count = () => (db.prepare(`SELECT COUNT(*) AS n FROM traffic_minutes`).get() as { n: number }).n;
  const minMinute = () => (db.prepare(`SELECT MIN(minute) AS m FROM traffic_minutes`).get() as { m: number | null }).m;
  const usedBytes = () =>
    ((db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number)) *
    (db.pragma('page_size', { simple: true }) as number);

  it('deletes by age, at most a step of rows at a time, and keeps what is younger', () => {
    const now = T0;
    // Three days of minutes, 5 endpoints: 21 600 rows; a 1-day policy keeps the last day (1 441 minutes, both ends included).
    fill(3 * 1_440, 5, now);
    const young = (db.prepare(`SELECT COUNT(*) AS n FROM traffic_minutes WHERE minute >= ?`).get(minuteOf(now - 86_400_000)) as { n: number }).n;
    expect(young).toBe(1_441 * 5);

    const steps: number[] = [];
    for (let deleted; (deleted = retentionStep(db, { days: 1, maxMb: 1024 }, now, 1_000)) > 0; ) steps.push(deleted);
    expect(steps.every((n) => n <= 1_000)).toBe(true);
    expect(steps.length).toBeGreaterThanOrEqual(14);
    expect(steps.reduce((a, b) => a + b, 0)).toBe(3 * 1_440 * 5 - young);
    expect(count()).toBe(young);
    expect(minMinute()).toBe(minuteOf(now - 86_400_000));
    // Endpoints are the inventory: they stay even when their traffic has aged out.
    expect(db.prepare(`SELECT COUNT(*) AS n FROM endpoints`).get()).toEqual({ n: 5 });
  });

  it('uses small steps by default', () => {
    fill(2_000, 3, T0);
    const deleted = retentionStep(db, { days: 1, maxMb: 1024 }, T0 + 30 * 86_400_000);
    expect(deleted).toBe(STEP_ROWS);
    expect(STEP_ROWS).toBeLessThanOrEqual(5_000);
  });

  it('deletes the oldest minutes first when the file is over its size budget, in steps, until it fits', () => {
    const now = T0;
    // About 30 000 rows: a few MB, all young enough to survive the age rule.
    fill(3_000, 10, now);
    const before = count();
    expect(usedBytes()).toBeGreaterThan(1024 * 1024);
    const maxMb = 0.25;

    const steps: number[] = [];
    let oldestBefore = minMinute()!;
    for (let deleted; (deleted = retentionStep(db, { days: 365, maxMb }, now, 500)) > 0; ) {
      steps.push(deleted);
      const oldest = minMinute();
      // Oldest first: nothing younger goes while something older remains.
      if (oldest !== null) expect(oldest).toBeGreaterThanOrEqual(oldestBefore);
      oldestBefore = oldest ?? oldestBefore;
      expect(steps.length).toBeLessThan(1_000);
    }
    expect(steps.length).toBeGreaterThan(1);
    expect(steps.every((n) => n <= 500)).toBe(true);
    expect(usedBytes()).toBeLessThanOrEqual(maxMb * 1024 * 1024);
    const left = count();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(before);
    // What is left is the newest minutes: all but the oldest of them whole.
    const perMinute = db.prepare(`SELECT minute, COUNT(*) AS n FROM traffic_minutes GROUP BY minute ORDER BY minute`).all() as Array<{ minute: number; n: number }>;
    expect(perMinute.at(-1)).toEqual({ minute: minuteOf(now), n: 10 });
    expect(perMinute.slice(1).every((m, i) => m.n === 10 && m.minute === perMinute[i]!.minute + 1)).toBe(true);
    console.log(`size retention: ${before} rows → ${left} in ${steps.length} steps to fit ${maxMb} MB`);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('does nothing when the data is young and the file within budget', () => {
    fill(10, 2, T0);
    expect(retentionStep(db, { days: 14, maxMb: 1024 }, T0)).toBe(0);
    expect(count()).toBe(20);
  });
});
