import autocannon from 'autocannon';
import { LatencyRecorder } from './latency-recorder.js';
import { wrkLoad, wrkPath } from './wrk.js';

/**
 * One load run against one URL, reduced to what the results table shows:
 * with wrk when it is installed (much cheaper per request, see wrk.ts),
 * else with autocannon. BENCH_LOAD=autocannon forces autocannon.
 */

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
const WRK = process.env.BENCH_LOAD === 'autocannon' ? null : wrkPath();

/** The load generator this run uses, for the results' "how this was measured". */
export const LOAD_GENERATOR = WRK ? `wrk (${WRK}, one thread)` : 'autocannon in the orchestrating process';

/**
 * A steady load instead of as fast as the proxy answers: each connection
 * waits a random 0.5–1.5 × `thinkMs` before its next request, so the
 * requests/s stay near CONNECTIONS × 1000 / thinkMs whatever the proxy, and
 * latency is the proxy's own, not the queue of a saturated core. Random,
 * so that the connections do not fire in step.
 */
export interface Steady {
  thinkMs: number;
  /** A window's length, s: at a low rate p99 needs longer windows to rest on enough answers. */
  seconds: number;
  /** Paired rounds (paired.ts): a steady pair's p99 ratio needs more of them than a saturated pair's ratios. */
  rounds: number;
}

/** The mean rate a steady load aims at, requests/s per peer (wrk's jitter averages out). */
export const steadyRate = (s: Steady): number => Math.round((CONNECTIONS * 1000) / s.thinkMs);

export function load(url: string, seconds: number, paths?: readonly string[], steady?: Steady): Promise<LoadRun> {
  return WRK ? wrkLoad(WRK, url, seconds, CONNECTIONS, paths, steady?.thinkMs) : autocannonLoad(url, seconds, paths, steady);
}

function autocannonLoad(url: string, seconds: number, paths?: readonly string[], steady?: Steady): Promise<LoadRun> {
  const latency = new LatencyRecorder();
  let next = 0;
  const requests = paths && [{ method: 'GET' as const, setupRequest: (req: object) => ({ ...req, path: paths[next++ % paths.length]! }) }];
  return new Promise((resolve, reject) => {
    // autocannon paces the whole run at a fixed rate: the same mean rate as wrk's think time, without its jitter.
    const rate = steady ? { overallRate: steadyRate(steady) } : {};
    const instance = autocannon({ url, connections: CONNECTIONS, pipelining: 1, duration: seconds, timeout: 10, ...rate, ...(requests ? { requests } : {}) }, (err, r) => {
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
