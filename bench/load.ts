import autocannon from 'autocannon';
import { LatencyRecorder } from './latency-recorder.js';

/** One autocannon run against one URL, reduced to what the results table shows. */

export interface LoadRun {
  /** 2xx responses per second of wall time. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses of any status; CPU per request divides by this. */
  responses: number;
  errors: number;
  non2xx: number;
}

export const CONNECTIONS = 50;

/**
 * `paths`: GET these in turn on `url`'s origin instead of `url` itself. One
 * counter for all connections, so that the requests in flight at any moment
 * are consecutive entries of the list: with autocannon's own `requests` list
 * every connection would walk it from the start, in step with the others.
 */
export function load(url: string, seconds: number, paths?: readonly string[]): Promise<LoadRun> {
  const latency = new LatencyRecorder();
  let next = 0;
  const requests = paths && [{ method: 'GET' as const, setupRequest: (req: object) => ({ ...req, path: paths[next++ % paths.length]! }) }];
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
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latency.record(ms);
    });
  });
}
