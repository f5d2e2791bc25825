import { execFileSync } from 'node:child_process';
import { cpuUs } from './child-ipc.js';
import type { Child } from './children.js';
import { positive } from './env-number.js';
import { CONNECTIONS, load, steadyRate, type LoadRun, type Steady } from './load.js';
import { median, perRound, ratio, times } from './load-report.js';
import { CORES } from './machine.js';
import { markdownTable } from './markdown.js';

/**
 * Paired rounds. This kind of machine switches between a fast state and
 * one about 1.7x slower every few seconds; two windows taken one after the
 * other can land in different states, and their ratio is then off by up to
 * that much either way. Here two peers run at the same time, each under
 * its own load: both proxies pinned to CPU 0, everything else (backends,
 * load generators, this process) to CPU 1. The two proxies share one core
 * and whatever state it is in, so a round's ratio is the ratio of their own
 * costs. Needs taskset (util-linux) and two cores or more; else skipped.
 * With `steady`, both loads are steady (load.ts) instead of saturating.
 */

export const PAIRED_ROUNDS = Math.round(positive('BENCH_PAIRED_ROUNDS', 9));
export const PAIRED_SECONDS = Math.round(positive('BENCH_PAIRED_SECONDS', 3));
/**
 * The steady load of the hung-service pair: 50 connections, 50 ms think time, about 1,000 requests/s per peer, 2,000 on
 * the shared core. At that rate legacy mode costs 150–250 µs per request here (fewer requests share each wake-up than
 * at saturation): 30–50 % of the core. At 2,000 per peer the slow state took the core to 70 %, and p99 was queueing again.
 */
export const STEADY: Steady = {
  thinkMs: Math.round(positive('BENCH_STEADY_THINK_MS', 50)),
  // 6 s at 1,000 requests/s: each p99 rests on the 60 slowest of 6,000 answers (3 s gave per-round ratios from 0.76x to 1.20x).
  seconds: Math.round(positive('BENCH_STEADY_SECONDS', 6)),
  // Two identical legacy-mode peers paired this way read p99 ratios of 0.90x to 1.07x as the median of 9 rounds (a p99 of
  // 6,000 answers moves by 10-20 % from one window to the next): too coarse for a 10 % target. The spread of a median
  // shrinks with the square root of the rounds; 25 rounds take it to about 0.6 of that.
  rounds: Math.round(positive('BENCH_STEADY_ROUNDS', 25)),
};

export interface PairedPeer {
  label: string;
  child: Child;
  url: string;
  /** Paths to spread the load over (bench/endpoint-mix.ts); else every request goes to `url`. */
  paths?: readonly string[];
}

export interface PairedWindow extends LoadRun {
  /** The proxy's CPU (user + system) per response in this window, µs. */
  cpuUs: number;
}

/** One side of a pair: its window of each round, in round order, as load-report.ts's ratio() and perRound() take them. */
export interface PairedSide {
  label: string;
  samples: PairedWindow[];
}

/** One pair's rounds: `a` is measured against `b` (a/b in every ratio). */
export interface PairedResult {
  a: PairedSide;
  b: PairedSide;
  /** Set when both ran under a steady load rather than as fast as they answer. */
  steady?: Steady;
}

export function pairingPossible(): boolean {
  if (CORES < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** All threads of the process (-a): undici's and libuv's pool threads too. */
const pin = (pid: number, cpus: string) => execFileSync('taskset', ['-apc', cpus, String(pid)], { stdio: 'ignore' });

/**
 * Runs `a` and `b` side by side for PAIRED_ROUNDS rounds. `rest` are the
 * other processes of the run (backends): they go to CPU 1 with this one,
 * whose load generators (wrk children, or autocannon in-process) follow it.
 * Every pinned process gets all cores back at the end, also on failure.
 */
export async function pairedRounds(a: PairedPeer, b: PairedPeer, rest: number[], steady?: Steady): Promise<PairedResult> {
  const all = `0-${CORES - 1}`;
  const others = [process.pid, ...rest];
  try {
    for (const p of [a, b]) pin(p.child.pid, '0');
    for (const pid of others) pin(pid, '1');
    // One unmeasured round: the proxies' pools reconnect and the new placement settles.
    await Promise.all([load(a.url, 1, a.paths, steady), load(b.url, 1, b.paths, steady)]);
    const result: PairedResult = { a: { label: a.label, samples: [] }, b: { label: b.label, samples: [] }, steady };
    for (let r = 0; r < (steady?.rounds ?? PAIRED_ROUNDS); r++) {
      const [a0, b0] = [await a.child.usage(), await b.child.usage()];
      const seconds = steady?.seconds ?? PAIRED_SECONDS;
      const [ra, rb] = await Promise.all([load(a.url, seconds, a.paths, steady), load(b.url, seconds, b.paths, steady)]);
      const [a1, b1] = [await a.child.usage(), await b.child.usage()];
      result.a.samples.push({ ...ra, cpuUs: (cpuUs(a1) - cpuUs(a0)) / Math.max(1, ra.responses) });
      result.b.samples.push({ ...rb, cpuUs: (cpuUs(b1) - cpuUs(b0)) / Math.max(1, rb.responses) });
    }
    return result;
  } finally {
    for (const pid of [a.child.pid, b.child.pid, ...others]) {
      try {
        pin(pid, all);
      } catch {
        // the process is gone
      }
    }
  }
}

type Figure = (w: PairedWindow) => number;
export const pairedFigures = { rps: (w: PairedWindow) => w.rps, cpu: (w: PairedWindow) => w.cpuUs, p99: (w: PairedWindow) => w.p99Ms } satisfies Record<string, Figure>;

/** a / b: the median of the per-round ratios, as every ratio of the benchmark. */
export const pairedRatio = (p: PairedResult, f: Figure): number => ratio(p.a, p.b, f);
export const pairedPerRound = (p: PairedResult, f: Figure): string => perRound(p.a, p.b, f);

/** One row per pair: each figure as the median of per-round ratios, and the medians of the absolute figures. */
export function pairedTable(results: PairedResult[]): string {
  const { rps, cpu, p99 } = pairedFigures;
  const m = (p: PairedResult, side: 'a' | 'b', f: Figure) => median(p[side].samples.map(f));
  return markdownTable(
    ['a / b (at the same time, sharing CPU 0)', 'requests/s a / b', 'CPU µs/req a / b', 'p99 a / b', 'requests/s a, b', 'CPU µs/req a, b', 'p99 ms a, b', 'errors + non-2xx'],
    results.map((p) => [
      `${p.a.label} / ${p.b.label}${p.steady ? `, steady load (${steadyRate(p.steady)} requests/s each)` : ''}`,
      times(pairedRatio(p, rps)),
      times(pairedRatio(p, cpu)),
      times(pairedRatio(p, p99)),
      `${Math.round(m(p, 'a', rps))}, ${Math.round(m(p, 'b', rps))}`,
      `${m(p, 'a', cpu).toFixed(1)}, ${m(p, 'b', cpu).toFixed(1)}`,
      `${m(p, 'a', p99).toFixed(2)}, ${m(p, 'b', p99).toFixed(2)}`,
      String([...p.a.samples, ...p.b.samples].reduce((n, w) => n + w.errors + w.non2xx, 0)),
    ]),
  );
}

export function howPairedMeasured(): string {
  return [
    `${PAIRED_ROUNDS} rounds of ${PAIRED_SECONDS} s per pair, after one unmeasured 1 s round, once the rounds above are done (the peers are warm).`,
    'In a round both peers are under load at once, each from its own load generator with the same connections as above. Both',
    'proxies are pinned to CPU 0 (taskset -a, every thread), the backends, the load generators and the orchestrator to CPU 1, and',
    'all get every core back afterwards. Sharing one core, the two proxies see the same machine state, so a round\'s ratio is',
    'the ratio of their own costs, where the sequential windows above can compare a fast second with a slow one. Requests/s a / b',
    'is then about the inverse of their CPU per request; p99 includes waiting for the other proxy\'s time on the core, alike for both.',
    'Every ratio is the median of the per-round ratios; the absolute figures are medians too, for scale only.',
    `A steady-load pair runs the same way, in ${STEADY.rounds} rounds of ${STEADY.seconds} s, but each of its ${CONNECTIONS} connections waits a random ${Math.floor(STEADY.thinkMs / 2)}–${Math.floor((STEADY.thinkMs * 3) / 2)} ms before each`,
    `request (wrk's delay()), about ${steadyRate(STEADY)} requests/s per peer whatever the proxy: the shared core is then well below saturation in`,
    "either state of the machine, and p99 is the proxy's own latency rather than the queue of a saturated core (which follows CPU per request).",
    'More rounds than the others: two identical legacy-mode peers paired this way read p99 ratios of 0.90x to 1.07x as the median of 9 rounds.',
  ].join('\n');
}
