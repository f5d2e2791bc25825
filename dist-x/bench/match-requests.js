import { resourceAt, SHAPES } from './route-set.js';
/** mulberry32: a seeded generator, so every run times the same requests. */
function random(seed) {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
export const PER_KIND = 64;
export function requestKinds(routeCount, perKind = PER_KIND) {
    const groups = Math.floor(routeCount / SHAPES);
    const rnd = random(routeCount);
    const pick = () => Math.floor(rnd() * groups);
    const many = (make) => Array.from({ length: perKind }, (_, n) => make(pick(), n));
    const get = (url, shape, headers = {}) => ({
        method: 'GET',
        url,
        headers: { host: 'shop.example.com', 'user-agent': 'bench', ...headers },
        shape,
    });
    const base = (k) => {
        const r = resourceAt(k);
        return `/api/${r.version}/${r.name}`;
    };
    const kinds = [
        { label: 'literal', requests: many((k) => get(base(k), 0)) },
        // The PUT/DELETE route on the same pattern is tried first and passed over.
        { label: '{param}', requests: many((k, n) => get(`${base(k)}/${1000 + n}?expand=lines`, 1)) },
        { label: 'two {param}s', requests: many((k, n) => get(`${base(k)}/${n}/items/${n * 7}`, 2)) },
        // `files` fits {id} first; nothing below it does, so the search backs up to the `**`.
        { label: '** after backtracking', requests: many((k, n) => get(`${base(k)}/files/2024/${n}/report.pdf`, 3)) },
        {
            label: 'host or header condition',
            requests: many((k, n) => n % 2 === 0
                ? get(`${base(k)}/search?q=tote`, 5, { host: `tenant${k % 20}.example.com:8080` })
                : get(`${base(k)}/${n}/status`, 6, { 'x-api-version': '2' })),
        },
        { label: 'root {param}', requests: many((k, n) => get(`/en/${resourceAt(k).name}/${n}`, 7)) },
        {
            label: 'miss',
            requests: many((k, n) => n % 3 === 0
                ? get(`/api/v1/catalog/items/${n}?ref=bench`, null)
                : n % 3 === 1
                    ? get(`/static/js/app.${n}.js`, null)
                    : get(`${base(k)}x/${n}`, null)),
        },
    ];
    // Interleaved, so branch predictors and inline caches see a realistic mix.
    const mixed = kinds.flatMap((kind) => kind.requests);
    for (let i = mixed.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [mixed[i], mixed[j]] = [mixed[j], mixed[i]];
    }
    return [...kinds, { label: 'mixed (all of the above)', requests: mixed }];
}
//# sourceMappingURL=match-requests.js.map