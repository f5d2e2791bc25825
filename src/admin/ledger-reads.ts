import type { Database } from 'better-sqlite3';
import { compileTable, type RouteTable } from '../rules/compile.js';
import { EVIDENCE_WINDOW_MS } from '../progress/migration-control.js';
import type { RuleFile } from '../rules/schema.js';
import { buildReport, routeEvidenceSince, type ReportFilter } from '../report/report-data.js';
import type { TrafficStore } from '../store/traffic.js';
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
    case 'evidence':
      return routeEvidenceSince(s.db, s.traffic, s.rules, s.table, read.route, now - EVIDENCE_WINDOW_MS);
  }
}

/** The table a read thread routes endpoints with: compiled once per revision. */
export function tableCache(): (rules: RuleFile, revision: number) => RouteTable {
  let cached: { revision: number; table: RouteTable } | undefined;
  return (rules, revision) => {
    if (cached?.revision !== revision) cached = { revision, table: compileTable(rules) };
    return cached.table;
  };
}

