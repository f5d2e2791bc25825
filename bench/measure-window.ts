import { performance } from 'node:perf_hooks';
import { cpuUs, type UsageReport } from './child-ipc.js';
import type { Child } from './children.js';
import { load } from './load.js';
import type { Sample } from './load-report.js';
import { CORES, machineBusyMs, orchestratorCpu } from './machine.js';

/**
 * One measured window of load through one peer, for `npm run bench` and
 * `npm run bench:workers`: the load run, the CPU the proxy and the backends
 * spent in it (each asked over IPC just before and just after), and how busy
 * the machine was with anything else meanwhile. The proxy's two usage
 * answers come back too, for what a caller reads from them (the ledger's
 * counters, the worker count).
 */
export interface MeasuredWindow<U extends UsageReport> {
  sample: Sample;
  /** The proxy's usage answers before and after; undefined for the backend reached directly. */
  before?: U;
  after?: U;
}

export async function measureWindow<U extends UsageReport = UsageReport>(
  proxy: Child | null,
  backends: readonly Child[],
  url: string,
  seconds: number,
  paths?: readonly string[],
): Promise<MeasuredWindow<U>> {
  const usages = async () => {
    const all: UsageReport[] = [];
    for (const b of backends) all.push(await b.usage());
    return all;
  };
  const p0 = (await proxy?.usage()) as U | undefined;
  const b0 = await usages();
  const orchestrator = orchestratorCpu();
  const machine0 = machineBusyMs();
  const t0 = performance.now();
  const run = await load(url, seconds, paths);
  const wallMs = performance.now() - t0;
  const machine1 = machineBusyMs();
  const orchestratorMs = orchestrator();
  const p1 = (await proxy?.usage()) as U | undefined;
  const b1 = await usages();
  const proxyUs = p0 && p1 ? cpuUs(p1) - cpuUs(p0) : 0;
  // Every backend: with canary and shadow the service's share of the work is backend work too.
  const backendUs = b1.reduce((n, u, i) => n + cpuUs(u) - cpuUs(b0[i]!), 0);
  const oursMs = (proxyUs + backendUs) / 1000 + orchestratorMs;
  const responses = Math.max(1, run.responses);
  return {
    sample: {
      ...run,
      proxyCpuUs: p0 && p1 ? proxyUs / responses : NaN,
      backendCpuUs: backendUs / responses,
      proxyMaxRssKb: p1?.maxRssKb ?? NaN,
      otherLoadPct: machine0 === null || machine1 === null ? NaN : Math.max(0, (100 * (machine1 - machine0 - oursMs)) / (wallMs * CORES)),
      uncaught: p1?.uncaught ?? 0,
    },
    before: p0,
    after: p1,
  };
}
