import { routeAt } from './route-set.js';
/**
 * Traffic over many endpoints, for the ledger benchmarks: what the ledger
 * writes grows with the distinct (endpoint, minute, target) rows in a batch,
 * so one URL over and over would flatter it. 200 endpoints: 100 claimed by
 * the routes of bench/route-set.ts (every shape), 100 unclaimed paths that
 * the template learner names; popularity Zipf(1) over a shuffled order, as
 * real APIs have a few hot endpoints and a long tail.
 */
export const ENDPOINTS = 200;
/** Endpoints claimed by routeAt(0 … ROUTED-1); a peer with routeSet(ROUTED) claims them. */
export const ROUTED = ENDPOINTS / 2;
export const SERVICES = ['orders-svc', 'users-svc', 'billing-svc'];
const WORDS = ['orders', 'users', 'invoices', 'products', 'carts', 'payments', 'shipments', 'reviews', 'accounts', 'reports'];
const ACTIONS = ['view', 'edit', 'history', 'export', 'share', 'print', 'notes', 'files', 'audit', 'tags'];
/** mulberry32: a small seeded generator, so every run sends the same traffic. */
export function rng(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
export function endpointCatalogue() {
    const out = [];
    for (let i = 0; i < ROUTED; i++) {
        const r = routeAt(i);
        const service = SERVICES[i % SERVICES.length];
        // Most endpoints are still on legacy; some moved to a service; some are split, as in a canary.
        const targets = i % 10 < 6 ? [['legacy', 1]] : i % 10 < 8 ? [[service, 1]] : [['legacy', 0.8], [service, 0.2]];
        const method = r.match.methods?.[0] ?? (i % 16 === 0 ? 'POST' : 'GET');
        out.push({ method, route: r.name, pattern: r.match.path.replace('{lang}', 'en'), targets });
    }
    for (let j = 0; j < ENDPOINTS - ROUTED; j++) {
        out.push({ method: j % 7 === 3 ? 'POST' : 'GET', route: null, pattern: `/app/${WORDS[j % 10]}/{id}/${ACTIONS[Math.floor(j / 10) % 10]}`, targets: [['legacy', 1]] });
    }
    return out;
}
export function requestPath(e, random) {
    return e.pattern.replace(/\{[^}]+\}/g, () => String(1 + Math.floor(random() * 1_000_000))).replace('**', `export/${Math.floor(random() * 1000)}`);
}
/** Picks an endpoint index: Zipf(1) over a fixed shuffled order, or uniform. */
export function picker(kind, random) {
    if (kind === 'uniform')
        return () => Math.floor(random() * ENDPOINTS);
    const order = Array.from({ length: ENDPOINTS }, (_, i) => i);
    const shuffle = rng(7);
    for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(shuffle() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
    }
    const cdf = new Float64Array(ENDPOINTS);
    let sum = 0;
    for (let k = 0; k < ENDPOINTS; k++)
        cdf[k] = sum += 1 / (k + 1);
    return () => {
        const x = random() * sum;
        let lo = 0;
        let hi = ENDPOINTS - 1;
        while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (cdf[mid] < x)
                lo = mid + 1;
            else
                hi = mid;
        }
        return order[lo];
    };
}
/**
 * `count` GET paths drawn Zipf over the catalogue, for autocannon to cycle
 * through. All GET: the catalogue's PUT and POST endpoints are then served
 * by the GET routes that also match their paths, so a few endpoints merge.
 */
export function loadPaths(count, seed = 42) {
    const random = rng(seed);
    const pick = picker('zipf', random);
    const specs = endpointCatalogue();
    return Array.from({ length: count }, () => requestPath(specs[pick()], random));
}
//# sourceMappingURL=endpoint-mix.js.map