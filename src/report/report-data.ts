import type { Database } from 'better-sqlite3';
import type { RouteTable } from '../rules/compile.js';
import type { Mode, RuleFile, VerdictThresholds } from '../rules/schema.js';
import { endpointRows, progressOf, type EndpointRow } from '../admin/views.js';
import { verdictOf, type Verdict } from '../shadow/verdict.js';
import type { Evidence } from '../progress/guard.js';
import { FAILURES, failureRateOf, floor2, guardFor, readinessOf, type Readiness } from '../progress/readiness.js';
import { ComparisonStore } from '../store/comparisons.js';
import type { Totals, TrafficStore } from '../store/traffic.js';

/**
 * The report document: per endpoint, how its shadow comparisons went and
 * which difference groups are regressions rather than noise. One builder
 * serves `GET /api/report`, `strangler report` and the promotion guard.
 *
 * Noise is measured on a share of requests only (noisePercent), so a
 * group's legacy-vs-legacy count n is scaled to the number of compared
 * requests before it is weighed against r: n' = n × T / T_noise.
 */


export interface DifferenceGroupReport {
  path: string;
  kind: string;
  count: number;
  /** Legacy-vs-legacy count, scaled to the compared requests. */
  noise: number;
  verdict: Verdict;
  samples: number[];
}

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
  /** Comparisons that matched once noise is excluded: netMatchRate unrounded is netMatched / compared. */
  netMatched: number;
  noiseCompared: number;
  outcomes: Record<string, number>;
  differences: DifferenceGroupReport[];
  /** Whether it is safe to cut over, by the same rule the promotion guard applies. */
  readiness: Readiness;
}

export interface ReportDocument {
  generatedAt: string;
  window: string;
  thresholds: VerdictThresholds;
  progress: ReturnType<typeof progressOf>;
  endpoints: EndpointReport[];
}

export interface ReportFilter {
  sinceMs: number;
  label: string;
  route?: string;
  /** `GET /api/orders/{id}` or just a path. */
  endpoint?: string;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function buildReport(db: Database, traffic: TrafficStore, rules: RuleFile, table: RouteTable, f: ReportFilter, now = Date.now()): ReportDocument {
  // Progress is the whole ledger's, whatever the filter: all endpoints are read.
  return reportOf(db, rules, endpointRows(traffic, rules, { table }, f.sinceMs, { latency: false }), f, now);
}

/** The report from every endpoint's rows over the filter's window, already read (the charts read them for themselves too). */
export function reportOf(db: Database, rules: RuleFile, rows: readonly EndpointRow[], f: ReportFilter, now = Date.now()): ReportDocument {
  return {
    generatedAt: new Date(now).toISOString(),
    window: f.label,
    thresholds: rules.verdict,
    progress: progressOf(rows, { sinceMs: f.sinceMs, label: f.label }),
    endpoints: endpointReports(db, rules, rows, f),
  };
}

/** The report's rows for the endpoints in `rows` that pass the filter. */
function endpointReports(db: Database, rules: RuleFile, rows: readonly EndpointRow[], f: ReportFilter): EndpointReport[] {
  const comparisons = new ComparisonStore(db);
  const thresholds = rules.verdict;
  const wanted = rows.filter(
    (e) => (f.route === undefined || e.route === f.route) && (f.endpoint === undefined || f.endpoint === `${e.method} ${e.path}` || f.endpoint === e.path),
  );
  // With a filter, only the wanted endpoints' counts are read.
  const ids = f.route === undefined && f.endpoint === undefined ? undefined : wanted.map((e) => e.id);
  const outcomes = new Map<number, { shadow: Record<string, number>; noise: Record<string, number> }>();
  for (const o of comparisons.outcomeCounts(f.sinceMs, ids)) {
    let e = outcomes.get(o.endpointId);
    if (!e) outcomes.set(o.endpointId, (e = { shadow: {}, noise: {} }));
    const bucket = o.kind === 'noise' ? e.noise : e.shadow;
    bucket[o.outcome] = (bucket[o.outcome] ?? 0) + o.count;
  }
  const groups = new Map<number, Array<{ path: string; kind: string; real: number; noise: number }>>();
  for (const g of comparisons.groupCounts(f.sinceMs, ids)) {
    const list = groups.get(g.endpointId) ?? [];
    list.push(g);
    groups.set(g.endpointId, list);
  }
  const signatures = new Map<number, Array<{ count: number; groups: Array<{ path: string; kind: string }> }>>();
  for (const s of comparisons.signatureCounts(f.sinceMs, ids)) {
    const list = signatures.get(s.endpointId) ?? [];
    list.push(s);
    signatures.set(s.endpointId, list);
  }
  const samples = new Map<string, number[]>();
  for (const s of comparisons.sampleIndex(ids)) {
    for (const g of s.groups) {
      const key = `${s.endpointId}|${g.path}|${g.kind}`;
      const list = samples.get(key) ?? [];
      if (list.length < 5) list.push(s.id);
      samples.set(key, list);
    }
  }

  const endpoints: EndpointReport[] = [];
  for (const e of wanted) {
    const o = outcomes.get(e.id) ?? { shadow: {}, noise: {} };
    const matched = o.shadow.match ?? 0;
    const compared = matched + (o.shadow.differ ?? 0);
    const noiseCompared = (o.noise.match ?? 0) + (o.noise.differ ?? 0);
    const differences: DifferenceGroupReport[] = (groups.get(e.id) ?? [])
      .filter((g) => g.real > 0)
      .map((g) => {
        const scaledNoise = noiseCompared > 0 ? round1((g.noise * compared) / noiseCompared) : 0;
        return {
          path: g.path,
          kind: g.kind,
          count: g.real,
          noise: scaledNoise,
          verdict: verdictOf(g.real, scaledNoise, compared, thresholds),
          samples: samples.get(`${e.id}|${g.path}|${g.kind}`) ?? [],
        };
      })
      .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path));
    const verdicts = new Map(differences.map((d) => [`${d.path}|${d.kind}`, d.verdict]));
    // A comparison counts as a net match when every group it differs in is noise.
    let netMatched = matched;
    for (const s of signatures.get(e.id) ?? []) {
      if (s.groups.length > 0 && s.groups.every((g) => verdicts.get(`${g.path}|${g.kind}`) === 'noise')) netMatched += s.count;
    }
    const netMatchRate = compared ? round1((netMatched / compared) * 100) : null;
    endpoints.push({
      method: e.method,
      path: e.path,
      route: e.route,
      mode: e.mode,
      requests: e.requests,
      compared,
      matched,
      matchRate: compared ? round1((matched / compared) * 100) : null,
      netMatchRate,
      netMatched,
      noiseCompared,
      outcomes: o.shadow,
      differences,
      readiness: readinessOf(
        {
          compared,
          netMatchRate: compared ? (netMatched / compared) * 100 : null,
          regressions: differences.filter((d) => d.verdict === 'regression').map(groupLabel),
          failures: o.shadow,
        },
        guardFor(rules, e.route),
      ),
    });
  }
  return endpoints;
}

/**
 * The promotion guard's evidence for a route over the window from
 * `sinceMs`, with the requests it served there, by target (TrafficStore
 * totals; `served` when the caller summed them already). The comparisons
 * are those of the endpoints the route claims now, and only theirs are
 * read: the dashboard asks this for every route on each load.
 */
export function routeEvidenceSince(
  db: Database,
  traffic: TrafficStore,
  rules: RuleFile,
  table: RouteTable,
  route: string,
  sinceMs: number,
  served: Totals = traffic.totals(sinceMs, route),
): ReturnType<typeof routeEvidence> & Pick<Evidence, 'requests' | 'byTarget'> {
  const rows = endpointRows(traffic, rules, { table }, sinceMs, { latency: false, route });
  return { ...routeEvidence(endpointReports(db, rules, rows, { sinceMs, label: '', route }), route), requests: served.total, byTarget: served.byTarget };
}

/** The promotion guard's evidence for a route: its endpoints' comparisons, regression groups and failed copies taken together. */
export function routeEvidence(endpoints: readonly EndpointReport[], route: string): Pick<Evidence, 'compared' | 'netMatchRate' | 'failureRate' | 'failures' | 'regressions' | 'note'> {
  let compared = 0;
  let net = 0;
  const failures: Record<string, number> = {};
  const regressions: string[] = [];
  for (const e of endpoints) {
    if (e.route !== route) continue;
    for (const f of FAILURES) if (e.outcomes[f]) failures[f] = (failures[f] ?? 0) + e.outcomes[f]!;
    for (const d of e.differences) if (d.verdict === 'regression') regressions.push(`${e.method} ${e.path} ${groupLabel(d)}`);
    compared += e.compared;
    net += e.netMatched;
  }
  const failureRate = failureRateOf(compared, failures);
  return compared === 0
    ? { compared: 0, netMatchRate: null, failureRate, failures, regressions, note: 'no shadow comparisons recorded for this route in the window; put it in shadow mode first' }
    : { compared, netMatchRate: floor2((net / compared) * 100), failureRate, failures, regressions };
}

/** How a difference group is named in reasons and tables: `$.createdAt (changed)`. */
export function groupLabel(d: { path: string; kind: string }): string {
  return `${d.path} (${d.kind})`;
}
