import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { UsageReport } from './child-ipc.js';
import { startChild, type Child } from './children.js';
import { CONNECTIONS, load } from './load.js';
import { loadReport, sampleLine, type PeerSamples, type Sample } from './load-report.js';
import { CORES, machineBusyMs, machineLine } from './machine.js';
import { resetResults, RESULTS_PATH, writeSection } from './results-file.js';
import { UNCLAIMED_PATH } from './route-set.js';

/**
 * `npm run bench`: the same small backend reached directly, through
 * http-proxy and through strangler, in one run and on one machine, so the
 * ratios mean something even where the absolute numbers do not. Peers are
 * measured in turn, round after round (A B C A B C), so slow drift of the
 * machine touches all of them alike; the table shows the mean of the rounds.
 * Then the route-matching micro-benchmark, in its own process.
 */

const SECONDS = positive('BENCH_SECONDS', 10);
const WARMUP_SECONDS = positive('BENCH_WARMUP_SECONDS', 2);
const ROUNDS = Math.round(positive('BENCH_ROUNDS', 2));
const ROUTES = 100;
const TARGET_RATIO = 1.5;

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${raw}: expected a positive number`);
  return n;
}

interface Peer {
  label: string;
  /** The proxy's process; null for the backend reached directly. */
  child: Child | null;
  url: string;
}

const children: Child[] = [];
let matchChild: ChildProcess | null = null;

function killAll(): void {
  for (const c of children) process.kill(c.pid, 'SIGKILL');
  if (matchChild?.pid !== undefined && matchChild.exitCode === null) process.kill(matchChild.pid, 'SIGKILL');
}

// Bounded: whatever hangs, the run ends and takes its children with it.
const budgetMs = (ROUNDS * 3 * (SECONDS + WARMUP_SECONDS + 5) + 180) * 1000;
setTimeout(() => {
  console.error(`bench: still running after ${Math.round(budgetMs / 1000)} s; stopping`);
  killAll();
  process.exit(1);
}, budgetMs).unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

async function measure(peer: Peer, backend: Child): Promise<Sample> {
  await load(peer.url, WARMUP_SECONDS);
  const p0 = await peer.child?.usage();
  const b0 = await backend.usage();
  const self0 = process.cpuUsage();
  const machine0 = machineBusyMs();
  const t0 = performance.now();
  const run = await load(peer.url, SECONDS);
  const wallMs = performance.now() - t0;
  const machine1 = machineBusyMs();
  const self = process.cpuUsage(self0);
  const p1 = await peer.child?.usage();
  const b1 = await backend.usage();
  const cpuUs = (u: UsageReport) => u.userUs + u.systemUs;
  const proxyUs = p0 && p1 ? cpuUs(p1) - cpuUs(p0) : 0;
  const backendUs = cpuUs(b1) - cpuUs(b0);
  const oursMs = (proxyUs + backendUs + self.user + self.system) / 1000;
  const responses = Math.max(1, run.responses);
  return {
    ...run,
    proxyCpuUs: p0 && p1 ? proxyUs / responses : NaN,
    backendCpuUs: backendUs / responses,
    proxyMaxRssKb: p1?.maxRssKb ?? NaN,
    otherLoadPct: machine0 === null || machine1 === null ? NaN : Math.max(0, (100 * (machine1 - machine0 - oursMs)) / (wallMs * CORES)),
    uncaught: p1?.uncaught ?? 0,
  };
}

function howMeasured(): string {
  return [
    `Measured on ${machineLine()}.`,
    '',
    `Each peer answers \`GET ${UNCLAIMED_PATH}\` with the same fixed ~200-byte JSON body from one node:http backend process.`,
    `The load generator is autocannon in the orchestrating process: ${CONNECTIONS} keep-alive connections, pipelining 1,`,
    `${WARMUP_SECONDS} s warm-up then ${SECONDS} s measured per peer, ${ROUNDS} rounds in the order direct, http-proxy, strangler;`,
    'the table shows the mean of the rounds (peak RSS: the highest). Backend, each proxy and the load generator are separate',
    'processes on the same machine, all on 127.0.0.1, so on a small machine they compete for cores: ratios are the result,',
    'absolute numbers are not. "other load" is the share of all cores that processes outside the benchmark used during a window;',
    'when it is high, that window is disturbed.',
    '',
    '- http-proxy: `createProxyServer({ target, agent })` with `new http.Agent({ keepAlive: true, maxSockets: 256 })`, other options default.',
    `- strangler: \`startProxy\` with ${ROUTES} routes of mixed shapes (literal, {param}, **, method-, host- and header-bound), all in legacy`,
    '  mode; none claims the benchmarked path, so each request pays a full failing lookup and goes to legacy. strangler also adds',
    '  X-Forwarded-For/-Proto/-Host and Via, which http-proxy with default options does not.',
    "- Latency: from autocannon's per-response timings at 10 µs resolution (its own histogram keeps whole ms).",
    "- CPU per request: the proxy process's `process.cpuUsage()` (user + system), asked over IPC just before and after the",
    '  measured window, divided by the responses in it. Peak RSS: `process.resourceUsage().maxRSS`.',
  ].join('\n');
}

async function runMatchBenchmark(): Promise<void> {
  // A fresh process: the JIT state of this one (autocannon) would skew a micro-benchmark.
  const script = fileURLToPath(new URL('./match.js', import.meta.url));
  const code = await new Promise<number | null>((resolve) => {
    matchChild = spawn(process.execPath, [script], { stdio: 'inherit' });
    matchChild.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`match benchmark exited with code ${code}`);
}

async function main(): Promise<void> {
  const backend = await startChild('backend', './backend.js');
  children.push(backend);
  const backendUrl = `http://127.0.0.1:${backend.port}`;
  const proxied = async (label: string, file: string, args: string[]): Promise<Peer> => {
    const child = await startChild(label, file, [`--target=${backendUrl}`, ...args]);
    children.push(child);
    return { label, child, url: `http://127.0.0.1:${child.port}${UNCLAIMED_PATH}` };
  };
  const peers: Peer[] = [
    { label: 'direct (no proxy)', child: null, url: `${backendUrl}${UNCLAIMED_PATH}` },
    await proxied('http-proxy 1.18.1', './peer-http-proxy.js', []),
    await proxied(`strangler (${ROUTES} routes)`, './peer-strangler.js', [`--routes=${ROUTES}`]),
  ];

  const samples = peers.map((): Sample[] => []);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, peer] of peers.entries()) {
      console.error(`bench: round ${round}/${ROUNDS}, ${peer.label}: ${WARMUP_SECONDS} s warm-up, ${SECONDS} s measured`);
      const s = await measure(peer, backend);
      samples[i]!.push(s);
      console.error(`       ${sampleLine(s)}`);
    }
  }
  const results: PeerSamples[] = [];
  for (const [i, peer] of peers.entries()) {
    // Asked once more: the last window's closing connections count too.
    results.push({ label: peer.label, samples: samples[i]!, uncaught: (await peer.child?.usage())?.uncaught ?? 0 });
  }
  await Promise.all(children.map((c) => c.stop()));

  const { table, ratios, windows } = loadReport(results as [PeerSamples, PeerSamples, PeerSamples], TARGET_RATIO);
  resetResults();
  writeSection(
    'Proxy throughput',
    `${table}\n\n${ratios}\n\nEach measured window:\n\n${windows}\n\n### How this was measured\n\n${howMeasured()}`,
  );
  console.log(`\n${table}\n\n${ratios}\n\n${windows}\n`);

  await runMatchBenchmark();
  console.log(`results written to ${RESULTS_PATH}`);
}

main().catch(async (err: unknown) => {
  console.error(err);
  await Promise.all(children.map((c) => c.stop()));
  process.exit(1);
});
