import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runRead } from '../src/admin/ledger-reads.js';
import { timeSeriesView } from '../src/admin/timeseries.js';
import { buildReport, routeEvidenceSince } from '../src/report/report-data.js';
import { compileTable } from '../src/rules/compile.js';
import { loadRuleText } from '../src/rules/load.js';
import { ComparisonStore, type ComparisonRow } from '../src/store/comparisons.js';
import { openDatabase, type Database } from '../src/store/open-database.js';
import { retentionStep } from '../src/store/retention.js';
import { TrafficStore, type TrafficRecord } from '../src/store/traffic.js';

/**
 * The report, the guard's evidence and the charts read the ledger's
 * per-minute rows, never the comparison rows: those are the bulk of a busy
 * shadow ledger, the first thing the size budget deletes, and millions a
 * day (reading them took seconds on the data plane's thread, bench/report.ts).
 * So the net match rate is the same before and after the size budget
 * trims comparison rows.
 */

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);
const NOW = T0 + 10 * 60_000;
const loaded = loadRuleText('legacy: http://127.0.0.1:1\nservices:\n  orders: http://127.0.0.1:2\nroutes:\n  - name: orders\n    match: { path: "/api/orders/{id}" }\n    mode: shadow\n    service: orders\n', 'rules.yaml');
if (!loaded.ok) throw new Error('the test rule file does not load');
const rules = loaded.rules;
const table = compileTable(rules);

let dir: string;
let db: Database;
let traffic: TrafficStore;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'strangler-report-ledger-'));
  db = openDatabase(path.join(dir, 'ledger.db'));
  traffic = new TrafficStore(db);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** 40 shadow comparisons, 16 of them differing only in $.requestId, and 40 legacy-vs-legacy calls that all differ there: noise. */
function record(): void {
  const endpointId = traffic.endpointId('GET', '/api/orders/{id}', 'orders', 'traffic', T0);
  const groups = [{ path: '$.requestId', kind: 'changed' }];
  const row = (i: number, kind: 'shadow' | 'noise', differ: boolean): ComparisonRow => ({
    endpointId,
    at: T0 + i * 1_000,
    route: 'orders',
    kind,
    outcome: differ ? 'differ' : 'match',
    attempted: true,
    legacyStatus: 200,
    otherStatus: 200,
    legacyMs: 3,
    otherMs: 4,
    signature: differ ? 'requestId' : '',
    groups: differ ? groups : [],
    exchange: null,
    sample: null,
  });
  const rows = [...Array.from({ length: 40 }, (_, i) => row(i, 'shadow', i % 5 < 2)), ...Array.from({ length: 40 }, (_, i) => row(i, 'noise', true))];
  db.transaction(() => new ComparisonStore(db).write(rows))();
}

const report = () => buildReport(db, traffic, rules, table, { sinceMs: T0 - 60_000, label: '1h' }, NOW).endpoints[0]!;

describe('the net match rate, read from per-minute rows', () => {
  it('counts the comparisons that differ only in noise as net matches', () => {
    record();
    expect(report()).toMatchObject({ compared: 40, matched: 24, netMatched: 40, netMatchRate: 100 });
    expect(routeEvidenceSince(db, traffic, rules, table, 'orders', T0 - 60_000)).toMatchObject({ compared: 40, netMatchRate: 100 });
  });

  it('stays the same when the size budget deletes the comparison rows', () => {
    record();
    const series = () => timeSeriesView(db, traffic, rules, table, { fromMs: T0, label: '10m' }, 10, NOW).matchRate;
    const before = series();
    expect(before.orders!.netMatchRate[0]).toBe(100);
    // A budget this small deletes every comparison row (they go first), step by step.
    while (retentionStep(db, { days: 365, maxMb: 0.0001 }, NOW, 1_000) > 0 && (db.prepare(`SELECT COUNT(*) AS n FROM comparisons`).get() as { n: number }).n > 0);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM comparisons`).get()).toEqual({ n: 0 });
    expect(report()).toMatchObject({ compared: 40, matched: 24, netMatched: 40, netMatchRate: 100 });
    expect(routeEvidenceSince(db, traffic, rules, table, 'orders', T0 - 60_000)).toMatchObject({ compared: 40, netMatchRate: 100 });
    expect(series()).toEqual(before);
  });
});

describe('the requests in a route\'s evidence', () => {
  it('are those the route served, by the route each request had: a route that splits a path by header counts its share', () => {
    const split = loadRuleText(
      'legacy: http://127.0.0.1:1\nservices:\n  orders: http://127.0.0.1:2\nroutes:\n' +
        '  - name: beta\n    match: { path: "/api/orders/{id}", headers: { x-beta: "1" } }\n    mode: canary\n    canary: { percent: 50 }\n    service: orders\n' +
        '  - name: orders\n    match: { path: "/api/orders/{id}" }\n    mode: shadow\n    service: orders\n',
      'rules.yaml',
    );
    if (!split.ok) throw new Error(JSON.stringify(split.errors));
    const rec = (route: string, target: string): TrafficRecord => ({
      method: 'GET',
      path: '/api/orders/{id}',
      route,
      target,
      status: 200,
      fellBack: false,
      startedAt: T0,
      durationMs: 5,
      bytesIn: 10,
      bytesOut: 100,
    });
    // A minute row is per endpoint and target, with the route that claimed it: beta's canary share went to the service.
    traffic.write([...Array.from({ length: 3 }, () => rec('beta', 'orders')), ...Array.from({ length: 5 }, () => rec('orders', 'legacy'))]);
    const evidence = (route: string) => routeEvidenceSince(db, traffic, split.rules, compileTable(split.rules), route, T0 - 60_000);
    // Matched without headers, the endpoint is the orders route's; its minute rows still say which requests beta served.
    expect(evidence('beta')).toMatchObject({ requests: 3, byTarget: { orders: 3 } });
    expect(evidence('orders')).toMatchObject({ requests: 5, byTarget: { legacy: 5 } });
    // The same through the admin API's read, which sums every route's requests in one pass for a page's evidence reads.
    const scope = { db, traffic, rules: split.rules, table: compileTable(split.rules) };
    expect(runRead(scope, { kind: 'evidence', route: 'beta' }, NOW)).toMatchObject({ requests: 3, byTarget: { orders: 3 } });
    expect(runRead(scope, { kind: 'evidence', route: 'orders' }, NOW)).toMatchObject({ requests: 5, byTarget: { legacy: 5 } });
  });
});
