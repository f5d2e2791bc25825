/**
 * The admin API's JSON as the dashboard reads it. Types that live in pure
 * modules are imported from there; the others come from modules that reach
 * SQLite and Node, which the browser build must not compile, so their JSON
 * is spelt out here with the fields the pages use (the server's types are
 * named beside each; test/wire-types.check.ts checks that they fit).
 */
import type { Readiness } from '../../progress/readiness.js';
import type { Evidence, TransitionCheck } from '../../progress/guard.js';
import type { Guard, Mode, RouteSpec } from '../../rules/schema.js';
import type { SideBySideSample } from '../../report/side-by-side.js';
import type { Verdict } from '../../shadow/verdict.js';

export type { Evidence, Guard, Mode, Readiness, RouteSpec, TransitionCheck, Verdict };

/** report/report-data.ts DifferenceGroupReport */
export interface DifferenceGroup {
  path: string;
  kind: string;
  count: number;
  noise: number;
  verdict: Verdict;
  samples: number[];
}

/** report/report-data.ts EndpointReport */
export interface EndpointReport {
  method: string;
  path: string;
  route: string | null;
  mode: Mode;
  requests: number;
  compared: number;
  matched: number;
  matchRate: number | null;
  netMatchRate: number | null;
  noiseCompared: number;
  outcomes: Record<string, number>;
  differences: DifferenceGroup[];
  readiness: Readiness;
}

/** admin/views.ts progressOf */
export interface Progress {
  endpoints: { total: number; byMode: Record<Mode, number> };
  traffic: { window: string; total: number; byTarget: Record<string, number>; servedByServicesShare: number };
  workQueue: Array<{ method: string; path: string; requests: number }>;
}

/** report/report-data.ts ReportDocument */
export interface ReportDocument {
  generatedAt: string;
  window: string;
  progress: Progress;
  endpoints: EndpointReport[];
}

/** GET /api/shadow/paused (admin/metrics.ts PausedTarget) */
export interface PausedAnswer {
  paused: Array<{ target: string; processes: number }>;
}

/** GET /api/routes */
export interface RoutesAnswer {
  revision: number;
  routes: RouteSpec[];
  guard: Guard;
}

/** GET /api/routes/NAME/evidence */
export interface RouteEvidence {
  route: string;
  mode: Mode;
  percent: number | null;
  guard: Guard;
  evidence: Evidence;
  readiness: Readiness;
}

/** admin/timeseries.ts TimeSeries */
export interface TimeSeries {
  since: string;
  until: string;
  step: string;
  points: string[];
  traffic: { total: number[]; byTarget: Record<string, number[]> };
  matchRate: Record<string, { compared: number[]; netMatchRate: Array<number | null> }>;
}

/** store/revisions.ts RevisionSummary */
export interface RevisionSummary {
  n: number;
  createdAt: string;
  source: string;
  author: string;
  message: string;
  routes: number;
}

/** admin/revision-diff.ts RevisionDiff: each side is a revision without its table, so without a route count */
export interface RevisionDiff {
  from: Omit<RevisionSummary, 'routes'>;
  to: Omit<RevisionSummary, 'routes'>;
  changed: boolean;
  added: number;
  removed: number;
  lines: Array<{ op: '+' | '-' | ' ' | '@'; text: string }>;
}

/** store/mode-changes.ts ModeChange, as GET /api/mode-changes lists it; the history page does not read `evidence`. */
export interface ModeChange {
  id: number;
  at: string;
  route: string;
  fromMode: Mode;
  toMode: Mode;
  fromPercent: number | null;
  toPercent: number | null;
  author: string;
  reason: string;
  forced: boolean;
  revision: number;
}

/** store/comparisons.ts StoredSample */
export type StoredSample = SideBySideSample & {
  id: number;
  at: string;
  method: string;
  path: string;
  route: string | null;
  outcome: string;
  request: { method: string; url: string };
};

/** report/curl.ts CurlCommand, per side (admin/sample-curl.ts) */
export interface CurlSide {
  target: string;
  url: string;
  command: string;
  redacted: boolean;
}

export interface SampleCurl {
  id: number;
  legacy: CurlSide;
  service: CurlSide | null;
}

/** The 409 of POST /api/routes/NAME/mode */
export interface GuardRefusal {
  error: string;
  check: TransitionCheck;
}

export interface Stamp {
  revision: number;
  written: number;
  modeChanges: number;
}
