import type { Database } from 'better-sqlite3';
import type { RouteTable } from '../rules/compile.js';
import type { RuleFile } from '../rules/schema.js';
import { reportOf } from '../report/report-data.js';
import { differMinutes, firstTrafficMinute, shadowOutcomeMinutes, trafficMinutes, type DifferMinute, type OutcomeMinute, type TrafficMinute } from '../store/minute-series.js';
import type { TrafficStore } from '../store/traffic.js';
import { endpointRows } from './views.js';

/**
 * The dashboard's charts over time, from the ledger's per-minute rows:
 * requests by target (the share served by new services) and, per route,
 * the net match rate of its shadow comparisons. A comparison counts as a
 * net match by the same rule as in the report: it matched, or every group
 * it differs in is judged noise over the whole window.
 */

export interface TimeSeries {
  since: string;
  until: string;
  step: string;
  stepMinutes: number;
  /** The start of each point's interval. */
  points: string[];
  traffic: { total: number[]; byTarget: Record<string, number[]> };
  /** Per route: comparisons made and their net match rate in percent (null where none was made). */
  matchRate: Record<string, { compared: number[]; netMatchRate: Array<number | null> }>;
}

/** Steps picked when none is asked for: the smallest that keeps a chart at most MAX_AUTO points wide. */
const AUTO_STEPS = [1, 5, 15, 30, 60, 180, 360, 720, 1440];
const MAX_AUTO = 120;
const MAX_POINTS = 1500;
const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 1440 };

export const stepLabel = (minutes: number) => (minutes % 1440 === 0 ? `${minutes / 1440}d` : minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`);

export type Step = { ok: true; minutes: number } | { ok: false; message: string };

/** `5m`, `1h`, `1d`; absent, one that keeps the chart readable. `spanMinutes` is the window's length. */
export function parseStep(value: unknown, spanMinutes: number): Step {
  if (value === undefined || value === '') return { ok: true, minutes: AUTO_STEPS.find((s) => Math.ceil(spanMinutes / s) <= MAX_AUTO) ?? 1440 };
  const m = typeof value === 'string' ? /^(\d+)([mhd])$/.exec(value) : null;
  if (!m) return { ok: false, message: 'step is a duration like 1m, 5m, 1h or 1d' };
  const minutes = Number(m[1]) * UNIT_MINUTES[m[2]!]!;
  if (minutes < 1) return { ok: false, message: 'step is at least 1m' };
  const points = Math.ceil(spanMinutes / minutes);
  if (points > MAX_POINTS) {
    return { ok: false, message: `step ${value} makes ${points} points over the window; at most ${MAX_POINTS}: use a step of ${stepLabel(Math.ceil(spanMinutes / MAX_POINTS))} or more` };
  }
  return { ok: true, minutes };
}

export interface SeriesInput {
  fromMinute: number;
  toMinute: number;
  stepMinutes: number;
  traffic: readonly TrafficMinute[];
  outcomes: readonly OutcomeMinute[];
  differ: readonly DifferMinute[];
  /** The route each endpoint is counted under (as in the report); endpoints under none are left out of the match rates. */
  routeOf: ReadonlyMap<number, string | null>;
  /** Per endpoint id, the difference groups (`path|kind`) judged noise. */
  noiseGroups: ReadonlyMap<number, ReadonlySet<string>>;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Buckets per-minute rows into points of `stepMinutes`, aligned to multiples of the step. */
export function bucketSeries(s: SeriesInput): Pick<TimeSeries, 'points' | 'traffic' | 'matchRate'> {
  const first = Math.floor(s.fromMinute / s.stepMinutes) * s.stepMinutes;
  const n = Math.max(1, Math.floor((s.toMinute - first) / s.stepMinutes) + 1);
  const index = (minute: number) => {
    const i = Math.floor((minute - first) / s.stepMinutes);
    return i >= 0 && i < n ? i : -1;
  };
  const zeros = () => new Array<number>(n).fill(0);

  const total = zeros();
  const byTarget: Record<string, number[]> = {};
  for (const r of s.traffic) {
    const i = index(r.minute);
    if (i < 0) continue;
    (byTarget[r.target] ??= zeros())[i]! += r.requests;
    total[i]! += r.requests;
  }

  const compared: Record<string, number[]> = {};
  const netMatched: Record<string, number[]> = {};
  const add = (endpointId: number, minute: number, c: number, net: number) => {
    const route = s.routeOf.get(endpointId);
    const i = index(minute);
    if (!route || i < 0) return;
    (compared[route] ??= zeros())[i]! += c;
    (netMatched[route] ??= zeros())[i]! += net;
  };
  for (const o of s.outcomes) add(o.endpointId, o.minute, o.matched + o.differed, o.matched);
  for (const d of s.differ) {
    const noise = s.noiseGroups.get(d.endpointId);
    if (d.groups.length > 0 && noise && d.groups.every((g) => noise.has(`${g.path}|${g.kind}`))) add(d.endpointId, d.minute, 0, d.count);
  }
  const matchRate: TimeSeries['matchRate'] = {};
  for (const route of Object.keys(compared).sort()) {
    const c = compared[route]!;
    matchRate[route] = { compared: c, netMatchRate: c.map((x, i) => (x ? round1((netMatched[route]![i]! / x) * 100) : null)) };
  }
  const points = Array.from({ length: n }, (_, i) => new Date((first + i * s.stepMinutes) * 60_000).toISOString());
  return { points, traffic: { total, byTarget }, matchRate };
}

/** Where a window's chart starts: `since`, or for `all` the ledger's first minute of traffic (an hour ago when it holds none). */
export function seriesStart(db: Database, sinceMs: number, now = Date.now()): number {
  return sinceMs > 0 ? sinceMs : (firstTrafficMinute(db) ?? Math.floor(now / 60_000) - 60) * 60_000;
}

/** Reads the rows from `fromMs` (see seriesStart) to now and buckets them; `stepMinutes` from parseStep. */
export function timeSeriesView(
  db: Database,
  traffic: TrafficStore,
  rules: RuleFile,
  table: RouteTable,
  window: { fromMs: number; label: string },
  stepMinutes: number,
  now = Date.now(),
): TimeSeries {
  const { fromMs } = window;
  const rows = endpointRows(traffic, rules, { table }, fromMs, { latency: false });
  const report = reportOf(db, rules, rows, { sinceMs: fromMs, label: window.label }, now);
  const noiseByKey = new Map(report.endpoints.map((e) => [`${e.method} ${e.path}`, new Set(e.differences.filter((d) => d.verdict === 'noise').map((d) => `${d.path}|${d.kind}`))]));
  const routeOf = new Map<number, string | null>();
  const noiseGroups = new Map<number, ReadonlySet<string>>();
  for (const e of rows) {
    routeOf.set(e.id, e.route);
    const noise = noiseByKey.get(`${e.method} ${e.path}`);
    if (noise?.size) noiseGroups.set(e.id, noise);
  }
  const fromMinute = Math.floor(fromMs / 60_000);
  const toMinute = Math.floor(now / 60_000);
  return {
    since: new Date(fromMinute * 60_000).toISOString(),
    until: new Date(now).toISOString(),
    step: stepLabel(stepMinutes),
    stepMinutes,
    ...bucketSeries({
      fromMinute,
      toMinute,
      stepMinutes,
      traffic: trafficMinutes(db, fromMs, now),
      outcomes: shadowOutcomeMinutes(db, fromMs, now),
      differ: differMinutes(db, fromMs, now),
      routeOf,
      noiseGroups,
    }),
  };
}
