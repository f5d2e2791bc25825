/**
 * The per-exchange series of /metrics (requests by route, target and status
 * class; latency by route and target), counted in plain arrays and turned
 * into Prometheus series only when scraped. prom-client's own inc() and
 * observe() validate and hash the label set on every call, which took about
 * 3 % of the proxy's CPU at full load; here an exchange costs two map
 * lookups and a few increments. The scrape output is the same as
 * prom-client's Counter and Histogram would give, so cluster aggregation
 * (AggregatorRegistry, which sums per label set) works unchanged.
 */
export const STATUS_CLASSES = ['error', '1xx', '2xx', '3xx', '4xx', '5xx'];
export class ExchangeTally {
    bucketBounds;
    byRoute = new Map();
    constructor(bucketBounds) {
        this.bucketBounds = bucketBounds;
    }
    add(route, target, status, seconds) {
        let byTarget = this.byRoute.get(route);
        if (byTarget === undefined)
            this.byRoute.set(route, (byTarget = new Map()));
        let s = byTarget.get(target);
        if (s === undefined) {
            s = { route, target, classes: STATUS_CLASSES.map(() => 0), buckets: [...this.bucketBounds.map(() => 0), 0], count: 0, sumSeconds: 0 };
            byTarget.set(target, s);
        }
        const cls = Math.floor(status / 100);
        s.classes[cls >= 1 && cls <= 5 ? cls : 0]++;
        const bounds = this.bucketBounds;
        let b = 0;
        while (b < bounds.length && seconds > bounds[b])
            b++;
        s.buckets[b]++;
        s.count++;
        s.sumSeconds += seconds;
    }
    reset() {
        this.byRoute.clear();
    }
    *series() {
        for (const byTarget of this.byRoute.values())
            yield* byTarget.values();
    }
    requestValues() {
        const out = [];
        for (const s of this.series()) {
            s.classes.forEach((n, i) => {
                if (n > 0)
                    out.push({ labels: { route: s.route, target: s.target, class: STATUS_CLASSES[i] }, value: n });
            });
        }
        return out;
    }
    latencyValues(name) {
        const out = [];
        for (const s of this.series()) {
            let cumulative = 0;
            this.bucketBounds.forEach((le, i) => {
                cumulative += s.buckets[i];
                out.push({ labels: { le, route: s.route, target: s.target }, value: cumulative, metricName: `${name}_bucket` });
            });
            const labels = { route: s.route, target: s.target };
            out.push({ labels: { le: '+Inf', ...labels }, value: s.count, metricName: `${name}_bucket` }, { labels, value: s.sumSeconds, metricName: `${name}_sum` }, { labels, value: s.count, metricName: `${name}_count` });
        }
        return out;
    }
}
/**
 * Registers a metric whose values are computed at scrape time. prom-client's
 * Registry needs only `name`, `get()` and `reset()` of what it holds, but its
 * type names its own classes, hence the cast.
 */
export function registerComputed(registry, m) {
    const metric = {
        name: m.name,
        help: m.help,
        type: m.type,
        aggregator: 'sum',
        get: async () => ({ name: m.name, help: m.help, type: m.type, values: m.values(), aggregator: 'sum' }),
        reset: m.reset,
    };
    registry.registerMetric(metric);
}
//# sourceMappingURL=exchange-tally.js.map