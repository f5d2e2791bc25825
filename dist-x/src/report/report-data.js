import { endpointRows, progressOf } from '../admin/views.js';
import { verdictOf } from '../shadow/verdict.js';
import { FAILURES, failureRateOf, floor2, guardFor, readinessOf } from '../progress/readiness.js';
import { ComparisonStore } from '../store/comparisons.js';
const round1 = (x) => Math.round(x * 10) / 10;
export function buildReport(db, traffic, rules, table, f, now = Date.now()) {
    const comparisons = new ComparisonStore(db);
    const thresholds = rules.verdict;
    const rows = endpointRows(traffic, rules, { table }, f.sinceMs);
    const outcomes = new Map();
    for (const o of comparisons.outcomeCounts(f.sinceMs)) {
        let e = outcomes.get(o.endpointId);
        if (!e)
            outcomes.set(o.endpointId, (e = { shadow: {}, noise: {} }));
        const bucket = o.kind === 'noise' ? e.noise : e.shadow;
        bucket[o.outcome] = (bucket[o.outcome] ?? 0) + o.count;
    }
    const groups = new Map();
    for (const g of comparisons.groupCounts(f.sinceMs)) {
        const list = groups.get(g.endpointId) ?? [];
        list.push(g);
        groups.set(g.endpointId, list);
    }
    const signatures = new Map();
    for (const s of comparisons.signatureCounts(f.sinceMs)) {
        const list = signatures.get(s.endpointId) ?? [];
        list.push(s);
        signatures.set(s.endpointId, list);
    }
    const samples = new Map();
    for (const s of comparisons.sampleIndex()) {
        for (const g of s.groups) {
            const key = `${s.endpointId}|${g.path}|${g.kind}`;
            const list = samples.get(key) ?? [];
            if (list.length < 5)
                list.push(s.id);
            samples.set(key, list);
        }
    }
    const endpoints = [];
    for (const e of rows) {
        if (f.route !== undefined && e.route !== f.route)
            continue;
        if (f.endpoint !== undefined && f.endpoint !== `${e.method} ${e.path}` && f.endpoint !== e.path)
            continue;
        const o = outcomes.get(e.id) ?? { shadow: {}, noise: {} };
        const matched = o.shadow.match ?? 0;
        const compared = matched + (o.shadow.differ ?? 0);
        const noiseCompared = (o.noise.match ?? 0) + (o.noise.differ ?? 0);
        const differences = (groups.get(e.id) ?? [])
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
            if (s.groups.length > 0 && s.groups.every((g) => verdicts.get(`${g.path}|${g.kind}`) === 'noise'))
                netMatched += s.count;
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
            readiness: readinessOf({
                compared,
                netMatchRate: compared ? (netMatched / compared) * 100 : null,
                regressions: differences.filter((d) => d.verdict === 'regression').map(groupLabel),
                failures: o.shadow,
            }, guardFor(rules, e.route)),
        });
    }
    return {
        generatedAt: new Date(now).toISOString(),
        window: f.label,
        thresholds,
        progress: progressOf(rows, traffic, { sinceMs: f.sinceMs, label: f.label }),
        endpoints,
    };
}
/** The promotion guard's evidence for a route: its endpoints' comparisons, regression groups and failed copies taken together. */
export function routeEvidence(report, route) {
    let compared = 0;
    let net = 0;
    const failures = {};
    const regressions = [];
    for (const e of report.endpoints) {
        if (e.route !== route)
            continue;
        for (const f of FAILURES)
            if (e.outcomes[f])
                failures[f] = (failures[f] ?? 0) + e.outcomes[f];
        for (const d of e.differences)
            if (d.verdict === 'regression')
                regressions.push(`${e.method} ${e.path} ${groupLabel(d)}`);
        compared += e.compared;
        net += e.netMatched;
    }
    const failureRate = failureRateOf(compared, failures);
    return compared === 0
        ? { compared: 0, netMatchRate: null, failureRate, failures, regressions, note: 'no shadow comparisons recorded for this route in the window; put it in shadow mode first' }
        : { compared, netMatchRate: floor2((net / compared) * 100), failureRate, failures, regressions };
}
/** How a difference group is named in reasons and tables: `$.createdAt (changed)`. */
export function groupLabel(d) {
    return `${d.path} (${d.kind})`;
}
//# sourceMappingURL=report-data.js.map