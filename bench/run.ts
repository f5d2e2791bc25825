import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LedgerCounters, TickReport } from './child-ipc.js';
import { startChild, type Child } from './children.js';
import { asTheCommandRuns, commandMallocEnv, commandNodeFlags } from './command-run.js';
import { ENDPOINTS, loadPaths } from './endpoint-mix.js';
import { DISTURBED_PCT, ledgerReport, type PairedLedger } from './ledger-report.js';
import { CONNECTIONS, load, LOAD_GENERATOR, type Steady } from './load.js';
import { loadReport, sampleLine, type LedgerWindow, type PeerSamples, type Sample } from './load-report.js';
import { nginxInstalled } from './nginx.js';
import { SHADOW_PATH, type ShadowMode } from './peer-strangler-shadow.js';
import { pairedTargetLines, targetLines, type PairedRoles } from './targets.js';
import { howPairedMeasured, PAIRED_ROUNDS, PAIRED_SECONDS, pairedRounds, pairedTable, pairingPossible, STEADY } from './paired.js';
import type { LedgerSettle } from './peer-strangler-ledger.js';
import { machineLine } from './machine.js';
import { measureWindow } from './measure-window.js';
import { resetResults, RESULTS_PATH, writeSection } from './results-file.js';
import { UNCLAIMED_PATH } from './route-set.js';
import { ROUNDS, SECONDS, WARMUP_SECONDS } from './windows.js';
import { boundRun, killPids } from './bounded-run.js';

/**
 * `npm run bench`: the same small backend reached directly, through
 * http-proxy and through strangler, in one run and on one machine, so the
 * ratios mean something even where the absolute numbers do not. Peers are
 * measured in turn, round after round (A B C A B C), so slow drift of the
 * machine touches all of them alike; the table shows the median of the
 * rounds and every ratio is the median of per-round ratios.
 * In the same rounds, strangler as `strangler start` runs it, with its
 * SQLite ledger off and on, back to back. Then the ledger writer's and the
 * route matcher's micro-benchmarks, each in its own process.
 */

const ROUTES = 100;
/** The issue's budget for the ledger: under 10 % of the proxy's requests/s. */
const LEDGER_MAX_COST = 0.1;
/** Load windows per round: up to eleven peers, then the ledger pair under two kinds of traffic. */
const WINDOWS = 15;
/** Pairs in the paired rounds (pairedSection). */
const PAIRS = 5;
/** Distinct request paths the many-endpoint windows cycle through. */
const MIX_PATHS = 2_000;

interface Peer {
  label: string;
  /** The proxy's process; null for the backend reached directly. */
  child: Child | null;
  url: string;
  /** GET these paths in turn on url's origin instead of url (see load.ts). */
  paths?: readonly string[];
}

const children: Child[] = [];
let scriptChild: ChildProcess | null = null;

boundRun('bench', (ROUNDS * WINDOWS * (SECONDS + WARMUP_SECONDS + 5) + PAIRS * (PAIRED_ROUNDS * (Math.max(PAIRED_SECONDS, STEADY.seconds) + 3) + 5) + 300) * 1000, () =>
  killPids([...children.map((c) => c.pid), ...(scriptChild?.pid !== undefined && scriptChild.exitCode === null ? [scriptChild.pid] : [])]),
);

async function measure(peer: Peer, backend: Child, service: Child, warmUp: boolean): Promise<Sample> {
  if (warmUp) await load(peer.url, WARMUP_SECONDS, peer.paths);
  const { sample, before, after } = await measureWindow(peer.child, [backend, service], peer.url, SECONDS, peer.paths);
  return { ...sample, ledger: before?.ledger && after?.ledger ? ledgerWindow(before.ledger, after.ledger) : undefined };
}

function ledgerWindow(before: LedgerCounters, after: LedgerCounters): LedgerWindow {
  return {
    written: after.written - before.written,
    dropped: after.dropped - before.dropped,
    batches: after.batches - before.batches,
    failedBatches: after.failedBatches - before.failedBatches,
    queuedAtEnd: after.queued,
  };
}

function howMeasured(): string {
  return [
    `Measured on ${machineLine()}.`,
    '',
    `Each peer answers \`GET ${UNCLAIMED_PATH}\` with the same fixed ~200-byte JSON body from one node:http backend process.`,
    `The load generator is ${LOAD_GENERATOR}: ${CONNECTIONS} keep-alive connections, pipelining 1, a new set of connections per window;`,
    `${ROUNDS} rounds of ${SECONDS} s per peer, the peers in the order of the table, after a ${WARMUP_SECONDS} s warm-up of each before its first window.`,
    'The table shows the median of the rounds (peak RSS: the highest); every ratio, in the table and below it, is the median of',
    "the per-round ratios (a round measures the two peers within a minute of each other). Backend, each proxy and the load generator are separate",
    'processes on the same machine, all on 127.0.0.1, so on a small machine they compete for cores: ratios are the result,',
    'absolute numbers are not. "other load" is the share of all cores that processes outside the benchmark used during a window;',
    'when it is high, that window is disturbed.',
    '',
    '- http-proxy: `createProxyServer({ target, agent })` with `new http.Agent({ keepAlive: true, maxSockets: 256 })`, other options default.',
    '- nginx: Debian nginx-light, `worker_processes 1`, upstream `keepalive 64` over HTTP/1.1, access log off (bench/peer-nginx.ts);',
    '  its CPU and peak RSS are read from /proc for the master and its worker. Absent when nginx is not installed.',
    `- strangler data plane alone: \`startProxy\` with ${ROUTES} routes of mixed shapes (literal, {param}, **, method-, host- and`,
    '  header-bound), all in legacy mode, none claiming the benchmarked path: a full failing lookup, then legacy. No ledger, admin or metrics.',
    `- strangler legacy mode / canary 50 % / shadow 100 % / shadow, hung service: \`strangler start\` as an operator runs it`,
    `  (bench/peer-strangler-shadow.ts: rule file, SQLite ledger, admin API, Prometheus metrics, rule-file watch) with the same ${ROUTES}`,
    '  routes plus one that claims the benchmarked path, in mode legacy; canary 50 % (sticky by a cookie the load does not send, so',
    '  each request draws) to a second identical backend process; shadow 100 % (every request copied to that backend and compared,',
    '  noisePercent 0, maxPerSecond 100,000); shadow with a service that accepts connections and never answers (timeoutMs 2000).',
    `- strangler start, 1 worker / 2 workers: bench/peer-strangler-workers.ts, the ${ROUTES} legacy routes and the ledger, with \`workers: 1\``,
    '  (one process, no cluster) and `workers: 2` (a primary with the control plane and two data-plane workers sharing the port);',
    '  CPU per request and peak RSS are summed over all the processes.',
    `- Every strangler peer runs as the \`strangler\` command (bin/strangler) runs node: \`node ${commandNodeFlags().join(' ')}\` with`,
    `  ${Object.entries(commandMallocEnv()).map(([k, v]) => `${k}=${v}`).join(' ')}; http-proxy, nginx's wrapper and the backend as plain \`node\`.`,
    '- strangler adds X-Forwarded-For/-Proto/-Host and Via, which http-proxy with default options does not.',
    "- Latency: wrk's own histogram (µs resolution); with autocannon, its per-response timings at 10 µs resolution.",
    "- CPU per request: the proxy process's `process.cpuUsage()` (user + system), asked over IPC just before and after the",
    '  measured window, divided by the responses in it. Peak RSS: `process.resourceUsage().maxRSS`. Backend CPU: both backends.',
  ].join('\n');
}

function howLedgerMeasured(): string {
  return [
    'In the same rounds and with the same load generator as the throughput table, two more proxy processes: strangler started',
    `as \`strangler start\` does it (\`startFromFile\`: a rule file with the same ${ROUTES} legacy routes, a SQLite ledger in a fresh temp`,
    'folder, admin API on its own port, Prometheus metrics, rule-file watch, pino at level silent), one with `ledger: false`, one',
    'with `ledger: true`. The only difference between them is the per-exchange ledger: each exchange is queued (bound 20,000),',
    'folded in batches of 100 (or after 50 ms) into the per-minute rows it becomes, and the folded rows are upserted into',
    "`traffic_minutes` every 500 ms in one transaction, all on the proxy's own event loop, so the ledger's CPU is in the proxy CPU column.",
    '',
    `Each process is measured under two kinds of traffic: the throughput table's one unclaimed URL (one endpoint, so a batch is`,
    `one row), and GETs cycling through ${MIX_PATHS.toLocaleString('en-US')} paths drawn Zipf(1) over the ${ENDPOINTS} endpoints of bench/endpoint-mix.ts`,
    `(half claimed by the ${ROUTES} routes, half unclaimed and named by the template learner, fresh ids in each path), so a batch`,
    'upserts dozens of rows, as in a real migration. Off and on run back to back, off first in odd rounds and on first in even',
    'ones, so drift of the machine favours neither. The verdict on the target is taken from the rounds in which neither window',
    `of the pair was disturbed (other processes above ${DISTURBED_PCT} % of the machine), when there is such a round; the tables show all rounds.`,
    '',
    '- "ledger written / dropped / mean batch": the ledger\'s own counters (`ledger.stats`; a batch is one transaction), asked over IPC before and after',
    '  the window, as differences; "queued at end" is the queue when the window closed (written shortly after).',
    '- Sanity check: after the last window the parent waits a second, then the ledger-on process flushes its queue and compares',
    '  `SUM(requests)` over `traffic_minutes` with the records written and with the requests its server received.',
    `- "startProxy alone" is the data-plane-alone peer of the throughput table, for scale.`,
  ].join('\n');
}

/** The target ratios once more, from peers measured side by side (paired.ts), and the ledger's cost the same way. */
async function pairedSection(p: Record<'legacy' | 'httpProxy' | 'dataPlane' | 'shadow' | 'hung', Peer>, ledger: Record<'on' | 'off' | 'onMix' | 'offMix', Peer>, rest: number[]) {
  const pair = async (a: Peer, b: Peer, steady?: Steady) => {
    console.error(`bench: paired, ${a.label} with ${b.label}${steady ? ', steady load' : ''}: ${steady?.rounds ?? PAIRED_ROUNDS} rounds of ${steady?.seconds ?? PAIRED_SECONDS} s`);
    const side = (x: Peer) => ({ label: x.label, child: x.child!, url: x.url, paths: x.paths });
    return pairedRounds(side(a), side(b), rest, steady);
  };
  const roles: PairedRoles = {
    legacyVsHttpProxy: await pair(p.legacy, p.httpProxy),
    dataPlaneVsHttpProxy: await pair(p.dataPlane, p.httpProxy),
    shadowVsLegacy: await pair(p.shadow, p.legacy),
    hungVsLegacy: await pair(p.hung, p.legacy),
    hungVsLegacySteady: await pair(p.hung, p.legacy, STEADY),
  };
  const ledgerPairs: PairedLedger[] = [
    { traffic: 'one URL', result: await pair(ledger.on, ledger.off) },
    { traffic: `${ENDPOINTS} endpoints`, result: await pair(ledger.onMix, ledger.offMix) },
  ];
  return { roles, all: Object.values(roles), ledger: ledgerPairs };
}

async function tickCosts(peers: Peer[]): Promise<Array<{ label: string; ns: number }>> {
  const out = [];
  for (const p of peers) out.push({ label: p.label, ns: (await p.child!.ask<TickReport>('tick')).ns });
  return out;
}

function tickLine(afterRounds: Array<{ label: string; ns: number }>, afterPairs: Array<{ label: string; ns: number }> | null): string {
  const list = (t: Array<{ label: string; ns: number }>) => t.map((x) => `${x.label} ${x.ns.toFixed(0)}`).join(', ');
  return (
    '- `process.nextTick`, ns per tick in each peer (bench/tick-cost.ts; about 100–150 is normal, 400–900 the dearer state of README "After an idle minute"): ' +
    `after the rounds: ${list(afterRounds)}${afterPairs ? `; after the paired rounds: ${list(afterPairs)}` : ''}`
  );
}

async function runScript(file: string): Promise<void> {
  // A fresh process: the JIT state of this one (autocannon) would skew a micro-benchmark.
  const script = fileURLToPath(new URL(file, import.meta.url));
  const code = await new Promise<number | null>((resolve) => {
    scriptChild = spawn(process.execPath, [script], { stdio: 'inherit' });
    scriptChild.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`${file} exited with code ${code}`);
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const backend = await startChild('backend', './backend.js');
  // The new service's stand-in for canary and shadow: an identical backend in its own process.
  const service = await startChild('service backend', './backend.js');
  children.push(backend, service);
  const backendUrl = `http://127.0.0.1:${backend.port}`;
  // strangler's peers run as bin/strangler runs node (its flags and malloc settings); the others as plain `node`.
  const asCommand = asTheCommandRuns();
  const proxied = async (label: string, file: string, args: string[], urlPath = UNCLAIMED_PATH): Promise<Peer> => {
    const child = await startChild(label, file, [`--target=${backendUrl}`, ...args], file.startsWith('./peer-strangler') ? asCommand : {});
    children.push(child);
    return { label, child, url: `http://127.0.0.1:${child.port}${urlPath}` };
  };
  const started = (label: string, mode: ShadowMode) =>
    proxied(label, './peer-strangler-shadow.js', [`--mode=${mode}`, `--service=http://127.0.0.1:${service.port}`], SHADOW_PATH);

  const direct: Peer = { label: 'direct (no proxy)', child: null, url: `${backendUrl}${UNCLAIMED_PATH}` };
  const httpProxy = await proxied('http-proxy 1.18.1', './peer-http-proxy.js', []);
  const nginx = nginxInstalled() ? await proxied('nginx (1 worker)', './peer-nginx.js', []) : null;
  const dataPlane = await proxied(`strangler data plane alone (${ROUTES} routes)`, './peer-strangler.js', [`--routes=${ROUTES}`]);
  const legacy = await started(`strangler legacy mode (${ROUTES} routes)`, 'route');
  const canary = await started('strangler canary 50 %', 'canary');
  const shadow = await started('strangler shadow 100 %', 'shadow');
  const hung = await started('strangler shadow, hung service', 'hung');
  // The same process shape with workers: 1 and workers: 2 (a primary and two data-plane workers on one port).
  const oneWorker = await proxied('strangler start, 1 worker', './peer-strangler-workers.js', [`--routes=${ROUTES}`, '--workers=1']);
  const twoWorkers = await proxied('strangler start, 2 workers', './peer-strangler-workers.js', [`--routes=${ROUTES}`, '--workers=2']);
  const main: Peer[] = [direct, httpProxy, ...(nginx ? [nginx] : []), dataPlane, legacy, canary, shadow, hung, oneWorker, twoWorkers];

  const off = await proxied('strangler, ledger off', './peer-strangler-ledger.js', [`--routes=${ROUTES}`, '--ledger=off']);
  const on = await proxied('strangler, ledger on', './peer-strangler-ledger.js', [`--routes=${ROUTES}`, '--ledger=on']);
  // The same two processes again, under traffic spread over many endpoints, which is what makes the ledger write more rows.
  const paths = loadPaths(MIX_PATHS);
  const mixed = (p: Peer): Peer => ({ ...p, label: `${p.label}, ${ENDPOINTS} endpoints`, url: p.url.replace(UNCLAIMED_PATH, ''), paths });
  const peers: Peer[] = [...main, off, on, mixed(off), mixed(on)];
  const [OFF, ON, OFF_MIX, ON_MIX] = [main.length, main.length + 1, main.length + 2, main.length + 3];

  const samples = peers.map((): Sample[] => []);
  for (let round = 1; round <= ROUNDS; round++) {
    // The ledger pair swaps order every round (see howLedgerMeasured; ledger-report.ts lists windows the same way).
    const order = [...main.keys(), ...(round % 2 === 1 ? [OFF, ON, OFF_MIX, ON_MIX] : [ON, OFF, ON_MIX, OFF_MIX])];
    for (const i of order) {
      const peer = peers[i]!;
      console.error(`bench: round ${round}/${ROUNDS}, ${peer.label}: ${round === 1 ? `${WARMUP_SECONDS} s warm-up, ` : ''}${SECONDS} s measured`);
      const s = await measure(peer, backend, service, round === 1);
      samples[i]!.push(s);
      console.error(`       ${sampleLine(s)}${s.ledger ? `, ledger written ${s.ledger.written}, dropped ${s.ledger.dropped}` : ''}`);
    }
  }
  // Exchanges cut short when autocannon closed its connections finish on their own; then the queue is flushed and counted.
  await delay(1_000);
  const settle = await on.child!.ask<LedgerSettle>('settle');
  const results: PeerSamples[] = [];
  for (const [i, peer] of peers.entries()) {
    // Asked once more: the last window's closing connections count too.
    results.push({ label: peer.label, samples: samples[i]!, uncaught: (await peer.child?.usage())?.uncaught ?? 0 });
  }
  const ledgerPeers = { on: peers[ON]!, off: peers[OFF]!, onMix: peers[ON_MIX]!, offMix: peers[OFF_MIX]! };
  // Which peers V8 had put in the dearer nextTick state (tick-cost.ts), after the rounds and again after the pairs.
  const ticked = [httpProxy, dataPlane, legacy, canary, shadow, hung, off, on];
  const ticksAfterRounds = await tickCosts(ticked);
  const paired = pairingPossible() ? await pairedSection({ legacy, httpProxy, dataPlane, shadow, hung }, ledgerPeers, [backend.pid, service.pid]) : null;
  const ticksAfterPairs = paired ? await tickCosts(ticked) : null;
  await Promise.all(children.map((c) => c.stop()));

  const of = (p: Peer) => results[peers.indexOf(p)]!;
  const { summary, table, windows } = loadReport(results.slice(0, main.length), { httpProxy: httpProxy.label, nginx: nginx?.label ?? null });
  const ratios = targetLines(
    { httpProxy: of(httpProxy), nginx: nginx ? of(nginx) : null, dataPlane: of(dataPlane), legacy: of(legacy), canary: of(canary), shadow: of(shadow), hung: of(hung), workers: { one: of(oneWorker), two: of(twoWorkers) } },
    summary,
  ).join('\n');
  const tickText = tickLine(ticksAfterRounds, ticksAfterPairs);
  resetResults();
  const pairedText = paired
    ? `### Paired rounds\n\n${pairedTable(paired.all)}\n\n${pairedTargetLines(paired.roles).join('\n')}\n\n${howPairedMeasured()}`
    : '### Paired rounds\n\nSkipped: they need taskset (util-linux) and two cores or more.';
  writeSection(
    'Proxy throughput',
    `${table}\n\n${ratios}\n${tickText}\n\nEach measured window:\n\n${windows}\n\n### How this was measured\n\n${howMeasured()}\n\n${pairedText}`,
  );
  console.log(`\n${table}\n\n${ratios}\n${tickText}\n\n${windows}\n\n${pairedText}\n`);

  const ledger = ledgerReport(
    {
      bare: { ...of(dataPlane), label: 'startProxy alone, one URL' },
      pairs: [
        { traffic: 'one URL', off: results[OFF]!, on: results[ON]! },
        { traffic: `${ENDPOINTS} endpoints`, off: results[OFF_MIX]!, on: results[ON_MIX]! },
      ],
      settle,
      paired: paired?.ledger ?? null,
    },
    LEDGER_MAX_COST,
  );
  const ledgerPaired = ledger.paired ? `### Paired rounds\n\n${ledger.paired}\n\nThe same two processes as above, paired as in the throughput section's paired rounds.` : '';
  writeSection(
    'Ledger',
    `${ledger.table}\n\n${ledger.findings}\n\nEach measured window:\n\n${ledger.windows}\n\n### How this was measured\n\n${howLedgerMeasured()}\n\n${ledgerPaired}`.trimEnd(),
  );
  console.log(`\n${ledger.table}\n\n${ledger.findings}\n\n${ledger.windows}\n\n${ledgerPaired}\n`);

  await runScript('./ledger-writer.js');
  await runScript('./shadow.js');
  await runScript('./match.js');
  console.log(`results written to ${RESULTS_PATH}`);
}

main().catch(async (err: unknown) => {
  console.error(err);
  await Promise.all(children.map((c) => c.stop()));
  process.exit(1);
});
