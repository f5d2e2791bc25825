const q = (params) => {
    const s = new URLSearchParams();
    for (const [k, v] of Object.entries(params))
        if (v !== undefined)
            s.set(k, String(v));
    const text = s.toString();
    return text ? `?${text}` : '';
};
const field = (b, k) => (b && typeof b === 'object' ? b[k] : undefined);
const has = (b, k) => field(b, k) !== undefined;
/** The ledger as the running proxy's admin API shows it. */
export function apiReader(client) {
    return {
        where: `the admin API at ${client.url}`,
        offline: false,
        routes: () => client.get('/api/routes', (b) => has(b, 'revision') && Array.isArray(field(b, 'routes'))),
        endpoints: (since) => client.get(`/api/endpoints${q({ since })}`, Array.isArray),
        progress: (since) => client.get(`/api/progress${q({ since })}`, (b) => has(b, 'endpoints') && has(b, 'traffic') && Array.isArray(field(b, 'workQueue'))),
        revisions: (limit) => client.get(`/api/revisions${q({ limit })}`, (b) => has(b, 'inForce') && Array.isArray(field(b, 'revisions'))),
        revision: (n) => client.get(`/api/revisions/${n}`, (b) => has(b, 'n') && has(b, 'table')),
        modeChanges: (route) => client.get(`/api/mode-changes${q({ route })}`, Array.isArray),
        report: (f) => client.get(`/api/report${q({ since: f.since, route: f.route, endpoint: f.endpoint })}`, (b) => has(b, 'generatedAt') && Array.isArray(field(b, 'endpoints'))),
        sample: (id) => client.find(`/api/samples/${id}`, (b) => has(b, 'id') && has(b, 'request') && has(b, 'legacy'), (b) => String(field(b, 'error')).startsWith('no sample')),
        close: () => { },
    };
}
//# sourceMappingURL=api-reader.js.map