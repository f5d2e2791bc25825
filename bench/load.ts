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

export function load(url: string, seconds: number): Promise<LoadRun> {
  const latency = new LatencyRecorder();
  return new Promise((resolve, reject) => {
    const instance = autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration: seconds, timeout: 10 }, (err, r) => {
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
