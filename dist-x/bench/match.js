import { performance } from 'node:perf_hooks';
import { compileTable } from '../src/rules/compile.js';
import { RequestView } from '../src/rules/request-view.js';
import { RuleFileSchema } from '../src/rules/schema.js';
import { machineLine } from './machine.js';
import { markdownTable } from './markdown.js';
import { PER_KIND, requestKinds } from './match-requests.js';
import { RESULTS_PATH, writeSection } from './results-file.js';
import { routeSet, SHAPES } from './route-set.js';
/**
 * `npm run bench:match`: the cost of one route lookup with 100 and 10,000
 * routes. The target is a median under 5 µs with 10,000.
 *
 * A single lookup is too short to time on its own (reading the clock costs
 * about as much), so lookups are timed in batches of BATCH different
 * requests and each batch gives one per-lookup figure; median and p99 are
 * over those figures. `match` times `table.match(view)` on views built
 * beforehand; `view + match` also builds the RequestView, as the proxy
 * does for every request.
 */
const SIZES = [100, 10_000];
const BATCH = 16;
const BATCHES = 20_000;
const TARGET_US = 5;
function percentile(sorted, q) {
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
function time(count, batch) {
    let sink = 0;
    // Warm-up: let the JIT settle on the optimised code before the clock runs.
    for (let b = 0; b < BATCHES / 4; b++)
        sink += batch((b * BATCH) % count);
    const perLookupNs = new Float64Array(BATCHES);
    for (let b = 0; b < BATCHES; b++) {
        const t0 = process.hrtime.bigint();
        sink += batch((b * BATCH) % count);
        perLookupNs[b] = Number(process.hrtime.bigint() - t0) / BATCH;
    }
    // Keeps the lookups observable, so they cannot be optimised away.
    if (sink === -1)
        console.log(sink);
    perLookupNs.sort();
    return { medianUs: percentile(perLookupNs, 0.5) / 1000, p99Us: percentile(perLookupNs, 0.99) / 1000 };
}
function check(table, r) {
    const hit = table.match(new RequestView(r.method, r.url, r.headers, '127.0.0.1'));
    const shape = hit === null ? null : hit.route.index % SHAPES;
    if (shape !== r.shape)
        throw new Error(`${r.method} ${r.url}: expected route shape ${r.shape}, got ${shape} (${hit?.route.spec.match.path})`);
}
function benchSize(routeCount) {
    const raw = { legacy: 'http://127.0.0.1:9', routes: routeSet(routeCount) };
    const t0 = performance.now();
    const rules = RuleFileSchema.parse(raw);
    const t1 = performance.now();
    const table = compileTable(rules);
    const t2 = performance.now();
    const rows = [];
    for (const kind of requestKinds(routeCount)) {
        const reqs = kind.requests;
        for (const r of reqs)
            check(table, r);
        const views = reqs.map((r) => new RequestView(r.method, r.url, r.headers, '127.0.0.1'));
        const n = reqs.length;
        const match = time(n, (start) => {
            let found = 0;
            for (let i = 0; i < BATCH; i++)
                if (table.match(views[(start + i) % n]) !== null)
                    found++;
            return found;
        });
        const viewAndMatch = time(n, (start) => {
            let found = 0;
            for (let i = 0; i < BATCH; i++) {
                const r = reqs[(start + i) % n];
                if (table.match(new RequestView(r.method, r.url, r.headers, '127.0.0.1')) !== null)
                    found++;
            }
            return found;
        });
        rows.push({ routes: routeCount, kind: kind.label, match, viewAndMatch });
    }
    return { rows, parseMs: t1 - t0, compileMs: t2 - t1 };
}
const us = (n) => n.toFixed(2);
const results = SIZES.map((size) => ({ size, ...benchSize(size) }));
const table = markdownTable(['routes', 'requests', 'match median µs', 'match p99 µs', 'view + match median µs', 'view + match p99 µs'], results.flatMap((r) => r.rows.map((row) => [row.routes.toLocaleString('en-US'), row.kind, us(row.match.medianUs), us(row.match.p99Us), us(row.viewAndMatch.medianUs), us(row.viewAndMatch.p99Us)])));
const biggest = results.at(-1);
const mixed = biggest.rows.at(-1);
const verdict = `With ${biggest.size.toLocaleString('en-US')} routes, mixed requests: median **${us(mixed.match.medianUs)} µs** per match (${us(mixed.viewAndMatch.medianUs)} µs including building the RequestView); target < ${TARGET_US} µs: ${mixed.viewAndMatch.medianUs < TARGET_US ? 'met, with or without the view' : mixed.match.medianUs < TARGET_US ? 'met for match alone, NOT with the view' : 'NOT met'}.`;
const setup = results
    .map((r) => `- ${r.size.toLocaleString('en-US')} routes: schema validation ${r.parseMs.toFixed(1)} ms, compile ${r.compileMs.toFixed(1)} ms (once per rule load).`)
    .join('\n');
const how = [
    `Measured on ${machineLine()}.`,
    '',
    `Routes from bench/route-set.ts: per resource a literal, two {param} patterns (one limited to PUT/DELETE), a nested {param}/items/{param},`,
    'a `**` subtree, a host-bound and a header-bound route, and a `/{lang}/…` route that puts a parameter at the root. Requests from',
    `bench/match-requests.ts, ${PER_KIND} per kind, each checked against the route shape that must answer it before timing.`,
    `Timing: \`process.hrtime.bigint()\` around batches of ${BATCH} lookups over different requests, ${BATCHES.toLocaleString('en-US')} batches`,
    `after ${(BATCHES / 4).toLocaleString('en-US')} warm-up batches; each batch gives one per-lookup time, and median and p99 are over those,`,
    `so p99 is of ${BATCH}-lookup means, not of single lookups.`,
].join('\n');
writeSection('Route matching', `${table}\n\n${verdict}\n\n${setup}\n\n### How this was measured\n\n${how}`);
console.log(`\n${table}\n\n${verdict}\n${setup}\n\nwritten to ${RESULTS_PATH}`);
//# sourceMappingURL=match.js.map