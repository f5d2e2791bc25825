import type { Database } from 'better-sqlite3';
import { compileTable, type RouteTable } from '../rules/compile.js';
import { EVIDENCE_WINDOW_MS } from '../progress/migration-control.js';
import type { RuleFile } from '../rules/schema.js';
import { buildReport, routeEvidenceSince, type ReportFilter } from '../report/report-data.js';
import { noTotals, type Totals, type TrafficStore } from '../store/traffic.js';
import { timeSeriesView } from './timeseries.js';
import { endpointRows, progressReport } from './views.js';

/**
 * The admin API's reads that sum a window of the ledger: the report, the
 * endpoint list, progress, the charts and a route's guard evidence. Each
 * is plain data in and out, so ledger-reader.ts can run it on a thread of
 * its own (ledger-read-worker.ts) with its own connection, and a day of
 * minute rows summed for the dashboard never holds up the data plane.
 */
export type LedgerRead =
  | { kind: 'report'; filter: ReportFilter }
  | { kind: 'endpoints'; sinceMs: number }
  | { kind: 'progress'; window: { sinceMs: number; label: string } }
  /** `untilMs`: the `now` the caller chose the window's start and step by. */
  | { kind: 'timeseries'; window: { fromMs: number; label: string }; stepMinutes: number; untilMs: number }
  | { kind: 'evidence'; route: string };

/** What a read sees: the ledger, and the rules in force when it was asked. */
export interface ReadScope {
  db: Database;
  traffic: TrafficStore;
  rules: RuleFile;
  table: RouteTable;
}

export function runRead(s: ReadScope, read: LedgerRead, now: number): unknown {
  switch (read.kind) {
    case 'report':
      return buildReport(s.db, s.traffic, s.rules, s.table, read.filter, now);
    case 'endpoints':
      return endpointRows(s.traffic, s.rules, s, read.sinceMs);
    case 'progress':
      return progressReport(s.traffic, s.rules, s, read.window);
    case 'timeseries':
      return timeSeriesView(s.db, s.traffic, s.rules, s.table, read.window, read.stepMinutes, read.untilMs);
    case 'evidence': {
      const since = now - EVIDENCE_WINDOW_MS;
      const served = routeTotals(s.traffic, since, now).get(read.route) ?? noTotals();
      return routeEvidenceSince(s.db, s.traffic, s.rules, s.table, read.route, since, served);
    }
  }
}

/** How long one pass of requests per route serves the evidence reads after it (the routes page asks one per route at once). */
const ROUTE_TOTALS_MS = 5_000;
let routeTotalsMemo: { traffic: TrafficStore; sinceMinute: number; at: number; byRoute: Map<string, Totals> } | undefined;

/** Requests per route and target over the evidence window, summed once for the evidence reads of a page load. */
function routeTotals(traffic: TrafficStore, sinceMs: number, now: number): Map<string, Totals> {
  const sinceMinute = Math.floor(sinceMs / 60_000);
  const m = routeTotalsMemo;
  if (m && m.traffic === traffic && m.sinceMinute === sinceMinute && now - m.at < ROUTE_TOTALS_MS) return m.byRoute;
  routeTotalsMemo = { traffic, sinceMinute, at: now, byRoute: traffic.totalsByRoute(sinceMs) };
  return routeTotalsMemo.byRoute;
}

/** The table a read thread routes endpoints with: compiled once per revision. */
export function tableCache(): (rules: RuleFile, revision: number) => RouteTable {
  let cached: { revision: number; table: RouteTable } | undefined;
  return (rules, revision) => {
    if (cached?.revision !== revision) cached = { revision, table: compileTable(rules) };
    return cached.table;
  };
}

