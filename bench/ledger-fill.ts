import type { Database } from 'better-sqlite3';
import { toBlob, emptyHistogram, bucketIndex } from '../src/store/latency-histogram.js';

/**
 * A ledger as a day of shadowing leaves it, written straight into the
 * tables (the data plane would take a day): ENDPOINTS endpoints with a
 * minute row each minute, the first SHADOWED of them under shadow routes
 * with `perSecond` comparisons a second, a quarter of them differing in
 * one of three signatures, and the per-minute counts the writer keeps
 * beside the comparison rows. For bench/reads.ts.
 */
export interface FillShape {
  endpoints: number;
  shadowed: number;
  perSecond: number;
  hours: number;
}

export const routeName = (e: number) => `shadow${e}`;
export const endpointPath = (e: number) => `/api/r${e}/items/{id}`;

export function fillLedger(db: Database, shape: FillShape, now: number): { minuteRows: number; comparisons: number } {
  const minutes = shape.hours * 60;
  const m0 = Math.floor(now / 60_000) - minutes;
  const hist = emptyHistogram();
  hist[bucketIndex(3)] = 90;
  hist[bucketIndex(12)] = 10;
  const blob = toBlob(hist);
  let minuteRows = 0;
  let comparisons = 0;
  db.transaction(() => {
    const ep = db.prepare(`INSERT INTO endpoints (id, method, path, route, source, first_seen, last_seen) VALUES (?, 'GET', ?, ?, 'traffic', ?, ?)`);
    const tm = db.prepare(
      `INSERT INTO traffic_minutes (endpoint_id, minute, target, route, requests, s2xx, bytes_in, bytes_out, latency_sum, histogram) VALUES (?, ?, 'legacy', ?, 100, 100, 20000, 80000, 450, ?)`,
    );
    for (let e = 1; e <= shape.endpoints; e++) {
      const route = e <= shape.shadowed ? routeName(e) : null;
      ep.run(e, endpointPath(e), route, m0 * 60_000, now);
      for (let m = m0; m < m0 + minutes; m++, minuteRows++) tm.run(e, m, route, blob);
    }
    const sig = db.prepare(`INSERT INTO signatures (endpoint_id, signature, groups_json) VALUES (?, ?, ?)`);
    for (let e = 1; e <= shape.shadowed; e++) for (let s = 0; s < 3; s++) sig.run(e, `sig${s}`, JSON.stringify([{ path: `$.field${s}`, kind: 'changed' }]));
  })();
  const cmp = db.prepare(
    `INSERT INTO comparisons (at, endpoint_id, route, kind, outcome, legacy_status, other_status, legacy_ms, other_ms, signature) VALUES (?, ?, ?, 'shadow', ?, 200, 200, 3.2, 4.1, ?)`,
  );
  const outcome = db.prepare(`INSERT INTO comparison_minutes (endpoint_id, minute, kind, outcome, count) VALUES (?, ?, 'shadow', ?, ?)`);
  const group = db.prepare(`INSERT INTO difference_minutes (endpoint_id, minute, path, kind, real, noise) VALUES (?, ?, ?, 'changed', ?, 0)`);
  const signature = db.prepare(`INSERT INTO signature_minutes (endpoint_id, minute, signature, count) VALUES (?, ?, ?, ?)`);
  const perMinute = Math.round(shape.perSecond * 60);
  // A minute a transaction, as the writer's batches add up to.
  const minute = db.transaction((m: number) => {
    for (let e = 1; e <= shape.shadowed; e++) {
      const differ = [0, 0, 0];
      for (let i = 0; i < perMinute; i++, comparisons++) {
        const d = i % 4 === 0;
        if (d) differ[i % 3]!++;
        cmp.run(m * 60_000 + Math.floor((i * 60_000) / perMinute), e, routeName(e), d ? 'differ' : 'match', d ? `sig${i % 3}` : '');
      }
      const differed = differ.reduce((a, b) => a + b, 0);
      outcome.run(e, m, 'match', perMinute - differed);
      outcome.run(e, m, 'differ', differed);
      for (let s = 0; s < 3; s++) {
        group.run(e, m, `$.field${s}`, differ[s]!);
        signature.run(e, m, `sig${s}`, differ[s]!);
      }
    }
  });
  for (let m = m0; m < m0 + minutes; m++) minute(m);
  return { minuteRows, comparisons };
}
