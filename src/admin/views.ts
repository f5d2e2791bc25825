import type { RuleFile, Mode } from '../rules/schema.js';
import { RequestView } from '../rules/request-view.js';
import type { RoutingState } from '../router/state.js';
import { addToTotals, noTotals, type EndpointInfo, type EndpointTraffic, type Totals, type TrafficStore } from '../store/traffic.js';

/** Read models for the admin API and the CLI: plain data from the ledger and the rules in force. */

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export type Window = { ok: true; sinceMs: number; label: string } | { ok: false; message: string };

/** `24h`, `30m`, `7d`, `all` or an ISO time. */
export function parseWindow(value: unknown, now = Date.now()): Window {
  if (value === undefined || value === 'all') return { ok: true, sinceMs: 0, label: 'all' };
  if (typeof value !== 'string') return { ok: false, message: 'since is a duration like 24h, 30m, 7d, or an ISO time' };
  const m = /^(\d+)([mhd])$/.exec(value);
  if (m) return { ok: true, sinceMs: now - Number(m[1]) * UNITS[m[2]!]!, label: value };
  const t = Date.parse(value);
  if (!Number.isNaN(t)) return { ok: true, sinceMs: t, label: value };
  return { ok: false, message: `since "${value}" is not a duration like 24h, 30m, 7d, or an ISO time` };
}

export interface EndpointRow extends EndpointTraffic {
  mode: Mode;
}

/** The mode an endpoint is in now: that of the route that claims it in the rules in force, legacy when none does. */
function modeOf(e: EndpointInfo, state: Pick<RoutingState, 'table'>): { route: string | null; mode: Mode } {
  // Endpoint paths are templates; `{x}` segments match any route param or ** the same way.
  const view = new RequestView(e.method, e.path.replace(/\{[^}/]+\}/g, '_'), {}, '');
  const m = state.table.match(view);
  if (m) return { route: m.route.name, mode: m.route.mode };
  if (e.route) {
    const r = state.table.byName(e.route);
    if (r) return { route: r.name, mode: r.mode };
  }
  return { route: null, mode: 'legacy' };
}

/**
 * The endpoints with their traffic, each in the mode its route is in now.
 * `latency: false`: p50Ms and p95Ms stay null, for readers that do not
 * show them (TrafficStore.endpoints). `route`: only the endpoints that
 * route claims, and only their traffic is read.
 */
export function endpointRows(
  traffic: TrafficStore,
  _rules: RuleFile,
  state: Pick<RoutingState, 'table'>,
  sinceMs: number,
  opts: { latency?: boolean; route?: string } = {},
): EndpointRow[] {
  const { route } = opts;
  const keep = route === undefined ? undefined : (e: EndpointInfo) => modeOf(e, state).route === route;
  return traffic.endpoints(sinceMs, { latency: opts.latency, keep }).map((e) => {
    const { route, mode } = modeOf(e, state);
    return { ...e, route: route ?? e.route, mode };
  });
}

export function progressReport(traffic: TrafficStore, rules: RuleFile, state: Pick<RoutingState, 'table'>, window: { sinceMs: number; label: string }) {
  return progressOf(endpointRows(traffic, rules, state, window.sinceMs, { latency: false }), window);
}

/** Requests in all, and by target, summed over endpoint rows. */
export function trafficTotals(rows: readonly EndpointTraffic[]): Totals {
  const totals = noTotals();
  for (const r of rows) for (const [target, n] of Object.entries(r.byTarget)) addToTotals(totals, target, n);
  return totals;
}

/** Progress from endpoint rows already read (the report reads them once for both). */
export function progressOf(rows: readonly EndpointRow[], window: { sinceMs: number; label: string }) {
  const byMode: Record<Mode, number> = { legacy: 0, shadow: 0, canary: 0, service: 0, retired: 0 };
  for (const r of rows) byMode[r.mode]++;
  // The rows hold every endpoint's traffic by target: no second pass over the minute rows.
  const totals = trafficTotals(rows);
  const served = Object.entries(totals.byTarget)
    .filter(([t]) => t !== 'legacy')
    .reduce((n, [, v]) => n + v, 0);
  return {
    endpoints: { total: rows.length, byMode },
    traffic: {
      window: window.label,
      total: totals.total,
      byTarget: totals.byTarget,
      servedByServicesShare: totals.total ? Math.round((served / totals.total) * 10_000) / 100 : 0,
    },
    workQueue: rows
      .filter((r) => r.mode === 'legacy')
      .sort((a, b) => b.requests - a.requests)
      .slice(0, 10)
      .map((r) => ({ method: r.method, path: r.path, requests: r.requests })),
  };
}
