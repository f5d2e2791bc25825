import autocannon from 'autocannon';
import { LatencyRecorder } from './latency-recorder.js';
import { wrkLoad, wrkPath } from './wrk.js';
export const CONNECTIONS = 50;
/**
 * `paths`: GET these in turn on `url`'s origin instead of `url` itself. One
 * counter for all connections, so that the requests in flight at any moment
 * are consecutive entries of the list: with autocannon's own `requests` list
 * every connection would walk it from the start, in step with the others.
 */
const WRK = process.env.BENCH_LOAD === 'autocannon' ? null : wrkPath();
/** The load generator this run uses, for the results' "how this was measured". */
export const LOAD_GENERATOR = WRK ? `wrk (${WRK}, one thread)` : 'autocannon in the orchestrating process';
export function load(url, seconds, paths) {
    return WRK ? wrkLoad(WRK, url, seconds, CONNECTIONS, paths) : autocannonLoad(url, seconds, paths);
}
function autocannonLoad(url, seconds, paths) {
    const latency = new LatencyRecorder();
    let next = 0;
    const requests = paths && [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }];
    return new Promise((resolve, reject) => {
        const instance = autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration: seconds, timeout: 10, ...(requests ? { requests } : {}) }, (err, r) => {
            if (err) {
                reject(err);
                return;
            }
            resolve({
                rps: r['2xx'] / r.duration,
                p50Ms: latency.quantile(0.5),
                p99Ms: latency.quantile(0.99),
                responses: r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'],
                errors: r.errors,
                non2xx: r.non2xx,
            });
        });
        instance.on('response', (_client, status, _bytes, ms) => {
            if (status >= 200 && status < 300)
                latency.record(ms);
        });
    });
}
//# sourceMappingURL=load.js.map