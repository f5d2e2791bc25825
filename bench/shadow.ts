import { performance } from 'node:perf_hooks';
import { cpuUs } from './child-ipc.js';
import { startChild, type Child } from './children.js';
import { asTheCommandRuns } from './command-run.js';
import { fixed, median, perRound as perRoundOf, ratio as ratioOf, times } from './load-report.js';
import { CONNECTIONS, load, LOAD_GENERATOR, type LoadRun } from './load.js';
import { CORES, machineBusyMs, machineLine, orchestratorCpu } from './machine.js';
import { markdownTable } from './markdown.js';
import { SHADOW_PATH, SHADOW_ROUTE, type AdminInfo, type ShadowMode } from './peer-strangler-shadow.js';
import { RESULTS_PATH, writeSection } from './results-file.js';
import { ROUNDS, SECONDS, WARMUP_SECONDS } from './windows.js';
import { boundRun, killPids } from './bounded-run.js';

/**
 * `npm run bench:shadow`: what shadow comparison costs the proxy and its
 * clients. One run, one machine, four proxy processes started as `strangler
 * start` does (peer-strangler-shadow.ts), the benchmarked path claimed by a
 * route in each:
 *
 * - route mode: the route in mode legacy (matching and ledger, no copies);
 * - shadow 100 %: mode shadow, every request copied to a second backend and compared, noisePercent 0;
 * - shadow 100 %, noise 10 %: the same with the default share of legacy-vs-legacy noise copies;
 * - shadow, hung service: the service accepts and never answers, timeoutMs 2000.
 *
 * Measured like `npm run bench` (the same load generator and windows,
 * bench/windows.ts), rounds in alternating order, proxy CPU per request from the
 * child's process.cpuUsage over IPC; plus the dispatcher's outcome counts
 * (strangler_shadow_outcomes_total from each peer's admin /metrics).
 * Writes the "Shadow" section of bench/RESULTS.md.
 */

/** The issue's targets. */
const MAX_CPU_RATIO = 2.5;
const MAX_P99_RATIO = 1.1;

interface Peer {
  mode: ShadowMode;
  label: string;
  child: Child;
  url: string;
  metricsUrl: string;
}

interface Window extends LoadRun {
  round: number;
  proxyCpuUs: number;
  /** The service backend's CPU per request (the copies' receiver); 0 when no copy reaches it. */
  serviceCpuUs: number;
  otherLoadPct: number;
  /** `kind/outcome` → copies that ended during the window. */
  outcomes: Record<string, number>;
  uncaught: number;
}

const children: Child[] = [];

const killAll = () => killPids(children.map((c) => c.pid));

const WINDOWS = 4;
boundRun('bench:shadow', (ROUNDS * WINDOWS * (SECONDS + WARMUP_SECONDS + 5) + 120) * 1000, killAll);

async function outcomes(metricsUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^strangler_shadow_outcomes_total\{([^}]*)\} (\S+)$/gm)) {
    const kind = /kind="([^"]*)"/.exec(m[1]!)?.[1] ?? '?';
    const outcome = /outcome="([^"]*)"/.exec(m[1]!)?.[1] ?? '?';
    counts[`${kind}/${outcome}`] = Number(m[2]);
  }
  return counts;
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const d: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v - (before[k] ?? 0) > 0) d[k] = v - (before[k] ?? 0);
  return d;
}

async function measure(peer: Peer, round: number, backends: Child[], service: Child): Promise<Window> {
  if (round === 1) await load(peer.url, WARMUP_SECONDS);
  const o0 = await outcomes(peer.metricsUrl);
  const p0 = await peer.child.usage();
  const b0 = await Promise.all(backends.map((b) => b.usage()));
  const orchestrator = orchestratorCpu();
  const machine0 = machineBusyMs();
  const t0 = performance.now();
  const run = await load(peer.url, SECONDS);
  const wallMs = performance.now() - t0;
  const machine1 = machineBusyMs();
  const orchestratorMs = orchestrator();
  const p1 = await peer.child.usage();
  const b1 = await Promise.all(backends.map((b) => b.usage()));
  const o1 = await outcomes(peer.metricsUrl);
  const responses = Math.max(1, run.responses);
  const proxyUs = cpuUs(p1) - cpuUs(p0);
  const backendUs = b1.reduce((n, u, i) => n + cpuUs(u) - cpuUs(b0[i]!), 0);
  const serviceIndex = backends.indexOf(service);
  const oursMs = (proxyUs + backendUs) / 1000 + orchestratorMs;
  return {
    round,
    ...run,
    proxyCpuUs: proxyUs / responses,
    serviceCpuUs: (cpuUs(b1[serviceIndex]!) - cpuUs(b0[serviceIndex]!)) / responses,
    otherLoadPct: machine0 === null || machine1 === null ? NaN : Math.max(0, (100 * (machine1 - machine0 - oursMs)) / (wallMs * CORES)),
    outcomes: difference(o1, o0),
    uncaught: p1.uncaught,
  };
}

const sum = (o: Record<string, number>, keys: string[]) => keys.reduce((n, k) => n + (o[k] ?? 0), 0);
const COMPARED = ['shadow/match', 'shadow/differ'];
const DROPPED = ['shadow/dropped-budget', 'shadow/dropped-queue'];
const TIMED_OUT = ['shadow/shadow-timeout'];

function totals(ws: Window[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const w of ws) for (const [k, v] of Object.entries(w.outcomes)) t[k] = (t[k] ?? 0) + v;
  return t;
}

function other(o: Record<string, number>): string {
  const known = new Set([...COMPARED, ...DROPPED, ...TIMED_OUT]);
  const rest = Object.entries(o).filter(([k]) => !known.has(k));
  return rest.length === 0 ? '—' : rest.map(([k, v]) => `${k} ${v}`).join(', ');
}

function report(peers: Peer[], windows: Window[][]) {
  const summary = peers.map((p, i) => {
    const ws = windows[i]!;
    const o = totals(ws);
    return {
      label: p.label,
      mode: p.mode,
      rps: median(ws.map((w) => w.rps)),
      p50: median(ws.map((w) => w.p50Ms)),
      p99: median(ws.map((w) => w.p99Ms)),
      cpu: median(ws.map((w) => w.proxyCpuUs)),
      serviceCpu: median(ws.map((w) => w.serviceCpuUs)),
      responses: ws.reduce((n, w) => n + w.responses, 0),
      failures: ws.reduce((n, w) => n + w.errors + w.non2xx, 0),
      uncaught: Math.max(...ws.map((w) => w.uncaught)),
      outcomes: o,
    };
  });
  const table = markdownTable(
    ['configuration', 'requests/s', 'p50 ms', 'p99 ms', 'proxy CPU µs/req', 'responses', 'copies compared (match / differ)', 'dropped (budget / queue)', 'timed out', 'other outcomes', 'errors + non-2xx'],
    summary.map((s) => [
      s.label,
      s.rps.toFixed(0),
      fixed(s.p50, 2),
      fixed(s.p99, 2),
      fixed(s.cpu, 1),
      String(s.responses),
      `${sum(s.outcomes, COMPARED)} (${s.outcomes['shadow/match'] ?? 0} / ${s.outcomes['shadow/differ'] ?? 0})`,
      `${sum(s.outcomes, DROPPED)} (${s.outcomes['shadow/dropped-budget'] ?? 0} / ${s.outcomes['shadow/dropped-queue'] ?? 0})`,
      String(sum(s.outcomes, TIMED_OUT)),
      other(s.outcomes),
      String(s.failures),
    ]),
  );
  const by = (m: ShadowMode) => summary.find((s) => s.mode === m)!;
  const shadow = by('shadow');
  const noise = summary.find((s) => s.mode === 'noise');
  // As in `npm run bench`: every ratio is the median of the per-round ratios (load-report.ts ratio()).
  const of = (m: ShadowMode) => ({ samples: windows[peers.findIndex((p) => p.mode === m)]! });
  const perRound = (a: ShadowMode, b: ShadowMode, f: (w: Window) => number) => perRoundOf(of(a), of(b), f);
  const ratio = (a: ShadowMode, b: ShadowMode, f: (w: Window) => number) => ratioOf(of(a), of(b), f);
  const cpuRatio = ratio('shadow', 'route', (w) => w.proxyCpuUs);
  const p99Ratio = ratio('hung', 'route', (w) => w.p99Ms);
  const ratios = [
    `- shadow 100 % / route mode, proxy CPU per request: **${times(cpuRatio)}** (target < ${MAX_CPU_RATIO}x: ${cpuRatio < MAX_CPU_RATIO ? 'met' : 'NOT met'}); per round: ${perRound('shadow', 'route', (w) => w.proxyCpuUs)}`,
    ...(noise ? [`- shadow 100 % with noise 10 % / route mode, proxy CPU per request: ${times(ratio('noise', 'route', (w) => w.proxyCpuUs))}; per round: ${perRound('noise', 'route', (w) => w.proxyCpuUs)}`] : []),
    `- shadow with a hung service / route mode, client p99: **${times(p99Ratio)}** (target < ${MAX_P99_RATIO.toFixed(2)}x: ${p99Ratio < MAX_P99_RATIO ? 'met' : 'NOT met'}); per round: ${perRound('hung', 'route', (w) => w.p99Ms)}`,
    `- shadow with a hung service / route mode, requests/s: ${times(ratio('hung', 'route', (w) => w.rps))}; per round: ${perRound('hung', 'route', (w) => w.rps)}`,
    `- shadow 100 % / route mode: requests/s ${times(ratio('shadow', 'route', (w) => w.rps))}, p50 ${times(ratio('shadow', 'route', (w) => w.p50Ms))}, p99 ${times(ratio('shadow', 'route', (w) => w.p99Ms))}`,
    `- hung service / route mode, proxy CPU per request: ${times(ratio('hung', 'route', (w) => w.proxyCpuUs))}`,
    `- the service backend's CPU per client request under shadow 100 %: ${fixed(shadow.serviceCpu, 1)} µs (it answers every copy)`,
    ...summary
      .filter((s) => s.uncaught > 0)
      .map((s) => `- **${s.label} threw ${s.uncaught} uncaught exception(s) during the run**; it would have crashed without the benchmark's guard (first one on stderr).`),
  ].join('\n');
  const windowTable = markdownTable(
    ['round', 'configuration', 'requests/s', 'p50 ms', 'p99 ms', 'proxy CPU µs/req', 'other load %', 'outcomes in the window'],
    windows[0]!
      .map((_, r) =>
        peers.map((p, i) => {
          const w = windows[i]![r]!;
          const o = Object.entries(w.outcomes).map(([k, v]) => `${k} ${v}`).join(', ') || '—';
          return [String(w.round), p.label, w.rps.toFixed(0), fixed(w.p50Ms, 2), fixed(w.p99Ms, 2), fixed(w.proxyCpuUs, 1), fixed(w.otherLoadPct, 0), o];
        }),
      )
      .flat(),
  );
  return { table, ratios, windowTable };
}

function howMeasured(peers: Peer[]): string {
  return [
    `Measured on ${machineLine()}.`,
    '',
    `Each configuration is its own proxy process started as \`strangler start\` does it (\`startFromFile\`: rule file, SQLite ledger on,`,
    'admin API, Prometheus metrics, ShadowDispatcher, pino at level silent), with 100 legacy routes of mixed shapes (bench/route-set.ts)',
    `and, first, the route \`${SHADOW_ROUTE}\` (\`GET /api/v1/catalog/items/{id}\`), which claims the benchmarked path \`GET ${SHADOW_PATH}\`.`,
    'Legacy is the fixed-JSON node:http backend of bench/backend.ts; the service is a second instance of it (same answer, so copies',
    'compare as a match), except in the hung case, where it is a TCP server in the proxy process that accepts and never answers.',
    '',
    '- route mode: the route in mode legacy: the same matching and ledger work, no copies.',
    '- shadow 100 %: `mode: shadow`, `shadow: { percent: 100, maxPerSecond: 100000, noisePercent: 0 }`: every request is copied to',
    '  the service and the two answers compared; the client gets legacy\'s.',
    '- noise 10 %: the same with the default `noisePercent: 10`: a tenth of the shadowed requests also go a second time to legacy.',
    '- hung service: as shadow 100 %, with `timeoutMs: 2000`. The dispatcher keeps at most 16 copies in flight per target and 128',
    '  waiting; past that a copy is dropped (dropped-queue). After 5 timeouts in a row the target\'s circuit opens: copies are',
    '  not sent (dropped-circuit) but for one probe per pause (5 s, doubling to 60 s), so almost every copy is dropped, not timed out.',
    '',
    `The load generator is ${LOAD_GENERATOR}: ${CONNECTIONS} keep-alive connections, pipelining 1; a ${WARMUP_SECONDS} s`,
    `warm-up of each configuration before its first window, then ${ROUNDS} rounds of ${SECONDS} s per configuration, the order reversed every other round`,
    `(${peers.map((p) => p.label).join(', ')}, then backwards); the table shows the median of the rounds, every ratio is the median`,
    'of the per-round ratios. All processes share the',
    "machine's cores, so ratios are the result, absolute numbers are not.",
    '',
    "- CPU per request: the proxy process's `process.cpuUsage()` (user + system, all its threads, so the compare worker and the",
    '  ledger writer included), asked over IPC just before and after the measured window, divided by the responses in it.',
    "- Latency: wrk's own histogram (µs resolution); with autocannon, its per-response timings at 10 µs resolution, 2xx only.",
    '- Outcomes: `strangler_shadow_outcomes_total` from the peer\'s admin `/metrics`, read before and after the window, as',
    '  differences (copies that ended in the window; for the hung service, copies admitted late in a window time out in the next).',
  ].join('\n');
}

async function main(): Promise<void> {
  const legacy = await startChild('legacy backend', './backend.js');
  children.push(legacy);
  const service = await startChild('service backend', './backend.js');
  children.push(service);
  const legacyUrl = `http://127.0.0.1:${legacy.port}`;
  const serviceUrl = `http://127.0.0.1:${service.port}`;
  const configs: Array<[ShadowMode, string]> = [
    ['route', 'route mode (legacy)'],
    ['shadow', 'shadow 100 %'],
    ['noise', 'shadow 100 %, noise 10 %'],
    ['hung', 'shadow 100 %, hung service'],
  ];
  const peers: Peer[] = [];
  for (const [mode, label] of configs) {
    const child = await startChild(label, './peer-strangler-shadow.js', [`--mode=${mode}`, `--target=${legacyUrl}`, `--service=${serviceUrl}`], asTheCommandRuns());
    children.push(child);
    const info = await child.ask<AdminInfo>('admin');
    peers.push({ mode, label, child, url: `http://127.0.0.1:${child.port}${SHADOW_PATH}`, metricsUrl: info.metricsUrl });
  }

  const windows: Window[][] = peers.map(() => []);
  for (let round = 1; round <= ROUNDS; round++) {
    const order = peers.map((_, i) => i);
    if (round % 2 === 0) order.reverse();
    for (const i of order) {
      const peer = peers[i]!;
      console.error(`bench:shadow: round ${round}/${ROUNDS}, ${peer.label}: ${round === 1 ? `${WARMUP_SECONDS} s warm-up, ` : ''}${SECONDS} s measured`);
      const w = await measure(peer, round, [legacy, service], service);
      windows[i]!.push(w);
      const o = Object.entries(w.outcomes).map(([k, v]) => `${k} ${v}`).join(', ') || 'no copies';
      console.error(
        `       ${Math.round(w.rps)} req/s, p50 ${fixed(w.p50Ms, 2)} ms, p99 ${fixed(w.p99Ms, 2)} ms, proxy CPU ${fixed(w.proxyCpuUs, 1)} µs/req, other load ${fixed(w.otherLoadPct, 0)} %; ${o}`,
      );
    }
  }
  const hungPeer = peers.find((p) => p.mode === 'hung')!;
  const hungAccepted = (await hungPeer.child.ask<AdminInfo>('admin')).hungAccepted;
  await Promise.all(children.map((c) => c.stop()));

  const { table, ratios, windowTable } = report(peers, windows);
  const note = `The hung service accepted ${hungAccepted} connection(s) over the run and answered none.`;
  writeSection('Shadow', `${table}\n\n${ratios}\n\n${note}\n\nEach measured window:\n\n${windowTable}\n\n### How this was measured\n\n${howMeasured(peers)}`);
  console.log(`\n${table}\n\n${ratios}\n\n${note}\n\n${windowTable}\n`);
  console.log(`results written to ${RESULTS_PATH}`);
}

main().catch(async (err: unknown) => {
  console.error(err);
  await Promise.all(children.map((c) => c.stop()));
  killAll();
  process.exit(1);
});
