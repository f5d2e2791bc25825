/**
 * A synthetic rule table of any size that looks like a real migration's:
 * per resource a list endpoint, `{id}` endpoints (one of them limited to
 * PUT/DELETE, so a GET is passed over to the next candidate), a nested
 * `{id}/items/{itemId}`, a `**` subtree, a host-bound and a header-bound
 * route, and a localised `/{lang}/…` route that puts a parameter at the
 * root, so every lookup that misses below `/api` backtracks through it.
 */
const WORDS = ['orders', 'users', 'invoices', 'products', 'carts', 'payments', 'shipments', 'reviews', 'accounts', 'reports'];
export const SHAPES = 8;
/** The resource the k-th group of routes is about. */
export function resourceAt(k) {
    return { version: `v${1 + (k % 3)}`, name: `${WORDS[k % WORDS.length]}${Math.floor(k / WORDS.length)}` };
}
export function routeAt(i) {
    const k = Math.floor(i / SHAPES);
    const { version, name } = resourceAt(k);
    const base = `/api/${version}/${name}`;
    const route = (path, extra = {}) => ({
        name: `r${i}`,
        match: { path, ...extra },
        mode: 'legacy',
    });
    switch (i % SHAPES) {
        case 0:
            return route(base);
        case 1:
            return route(`${base}/{id}`);
        case 2:
            return route(`${base}/{id}/items/{itemId}`);
        case 3:
            return route(`${base}/**`);
        case 4:
            return route(`${base}/{id}`, { methods: ['PUT', 'DELETE'] });
        case 5:
            return route(`${base}/search`, { host: `tenant${k % 20}.example.com` });
        case 6:
            return route(`${base}/{id}/status`, { headers: { 'x-api-version': '2' } });
        default:
            return route(`/{lang}/${name}/{id}`);
    }
}
export function routeSet(count) {
    return Array.from({ length: count }, (_, i) => routeAt(i));
}
/** The path the load benchmark requests: no route claims it, so it goes to legacy after a full, failing lookup. */
export const UNCLAIMED_PATH = '/api/v1/catalog/items/12345?ref=bench';
//# sourceMappingURL=route-set.js.map