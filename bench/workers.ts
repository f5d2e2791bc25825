import { fileURLToPath } from 'node:url';
import type { UsageReport } from './child-ipc.js';
import { startChild, type Child } from './children.js';
import { asTheCommandRuns } from './command-run.js';
import { DESIGNS, designTable, measureDesign, type DesignResult } from './ledger-design.js';
import { CONNECTIONS, load } from './load.js';
import { fixed, sampleLine, summarise, times, type PeerSamples, type Sample } from './load-report.js';
import { CORES, machineLine } from './machine.js';
import { measureWindow } from './measure-window.js';
import { markdownTable } from './markdown.js';
import { RESULTS_PATH, writeSection } from './results-file.js';
import { UNCLAIMED_PATH } from './route-set.js';
import { positive } from './env-number.js';
import { boundRun } from './bounded-run.js';

/**
 * `npm run bench:workers`: strangler as `strangler start` runs it, with
 * workers: 1 (one process, no cluster) and workers: 2 (a primary and two
 * data-plane workers on one port), measured in turn in the same run; then
 * the two ways several workers can write one ledger (ledger-design.ts).
 * `measureWorkers` is the part bench/run.ts can call with its own backend.
 */

const ROUTES = 100;
const WORKER_COUNTS = [1, 2] as const;

export interface WorkersOptions {
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  /** Progress lines (stderr in a run). */
  log?: (line: string) => void;
}

export interface WorkersReport {
  table: string;
  findings: string;
  windows: string;
  peers: PeerSamples[];
}

/** Processes each measured peer ran, as its usage answer said (the primary and each worker). */
type WorkersUsage = UsageReport & { processes?: number };

async function measure(peer: Child, url: string, backend: Child, o: WorkersOptions): Promise<Sample & { processes: number }> {
  await load(url, o.warmupSeconds);
  const { sample, after } = await measureWindow<WorkersUsage>(peer, [backend], url, o.seconds);
  return { ...sample, processes: after?.processes ?? 1 };
}

/** The 1-worker and 2-worker peers against `backend`, in turn, round after round (1 2, then 2 1). */
export async function measureWorkers(backend: Child, o: WorkersOptions): Promise<WorkersReport> {
  const backendUrl = `http://127.0.0.1:${backend.port}`;
  const children: Child[] = [];
  try {
    for (const n of WORKER_COUNTS) {
      children.push(await startChild(`strangler, workers: ${n}`, './peer-strangler-workers.js', [`--target=${backendUrl}`, `--routes=${ROUTES}`, `--workers=${n}`], asTheCommandRuns()));
    }
    const samples = children.map((): Sample[] => []);
    const processes = children.map(() => 0);
    for (let round = 1; round <= o.rounds; round++) {
      const order = round % 2 === 1 ? [0, 1] : [1, 0];
      for (const i of order) {
        const child = children[i]!;
        o.log?.(`bench: round ${round}/${o.rounds}, ${child.name}: ${o.warmupSeconds} s warm-up, ${o.seconds} s measured`);
        const s = await measure(child, `http://127.0.0.1:${child.port}${UNCLAIMED_PATH}`, backend, o);
        samples[i]!.push(s);
        processes[i] = s.processes;
        o.log?.(`       ${sampleLine(s)}, ${s.processes} processes`);
      }
    }
    const peers: PeerSamples[] = children.map((c, i) => ({ label: c.name, samples: samples[i]!, uncaught: samples[i]!.at(-1)?.uncaught ?? 0 }));
    return { ...report(peers, processes), peers };
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

function report(peers: PeerSamples[], processes: number[]): Omit<WorkersReport, 'peers'> {
  const summary = peers.map(summarise);
  const table = markdownTable(
    ['peer', 'processes', 'requests/s', 'p50 ms', 'p99 ms', 'proxy CPU µs/req (all processes)', 'proxy peak RSS MB (all processes)', 'errors + non-2xx'],
    summary.map((s, i) => [s.label, String(processes[i]), s.rps.toFixed(0), fixed(s.p50, 2), fixed(s.p99, 2), fixed(s.proxyCpu, 1), fixed(s.rssMb, 0), String(s.failures)]),
  );
  const [one, two] = summary as [ReturnType<typeof summarise>, ReturnType<typeof summarise>];
  const perRound = peers[1]!.samples.map((s, i) => times(s.rps / peers[0]!.samples[i]!.rps)).join(', ');
  const findings = [
    `- workers: 2 / workers: 1 requests/s: **${times(two.rps / one.rps)}**; per round: ${perRound}`,
    `- workers: 2 / workers: 1 proxy CPU per request (all processes): ${times(two.proxyCpu / one.proxyCpu)}; p50: ${times(two.p50 / one.p50)}; p99: ${times(two.p99 / one.p99)}`,
    `- the machine has ${CORES} cores for the load generator, the backend and every proxy process: with as many workers as cores they compete, so the gain is a floor, not what a dedicated host gets`,
  ].join('\n');
  const windows = markdownTable(
    ['round', 'peer', 'requests/s', 'p50 ms', 'p99 ms', 'proxy CPU µs/req', 'other load %'],
    peers[0]!.samples.flatMap((_, i) =>
      peers.map((p) => {
        const s = p.samples[i]!;
        return [String(i + 1), p.label, s.rps.toFixed(0), fixed(s.p50Ms, 2), fixed(s.p99Ms, 2), fixed(s.proxyCpuUs, 1), fixed(s.otherLoadPct, 0)];
      }),
    ),
  );
  return { table, findings, windows };
}

export function howWorkersMeasured(o: WorkersOptions): string {
  return [
    `Measured on ${machineLine()}.`,
    '',
    `Two proxy processes started as \`strangler start\` runs them (\`startFromFile\` for workers: 1, \`startCluster\` for workers: 2): the same rule`,
    `file with ${ROUTES} legacy routes, a SQLite ledger in a fresh temp folder (on), admin API, metrics, rule-file watch, pino silent.`,
    `Each answers \`GET ${UNCLAIMED_PATH}\` from the same one-process node:http backend. autocannon in the orchestrating process,`,
    `${CONNECTIONS} keep-alive connections (dealt to the workers round-robin by the primary), ${o.warmupSeconds} s warm-up then ${o.seconds} s measured,`,
    `${o.rounds} round(s), the order swapped every round.`,
    '',
    '- CPU per request: `process.cpuUsage()` of every process of the peer (the primary and each worker, asked over IPC) before and',
    '  after the window, added up, divided by the responses. Peak RSS: the sum of each process\'s `maxRSS`.',
    '- "other load": the share of all cores used by processes outside the benchmark during the window.',
  ].join('\n');
}

export function howDesignMeasured(): string {
  return [
    'Two worker processes push the same synthetic exchange facts (bench/fact-source.ts: 200 endpoints, Zipf) as fast as the design',
    'takes them, into a fresh ledger file; the clock stops when every fact is in SQLite. "each worker writes" is what `workers: N`',
    'runs: a TrafficLedger per worker, IMMEDIATE transactions on the shared WAL file, busy_timeout 5 s. "one writer in the primary"',
    'sends the facts over the cluster IPC channel, 100 per message, with at most 16 messages per worker awaiting a credit (without it',
    "the primary's queue overflows and drops facts), and the primary runs the only TrafficLedger. CPU: `process.cpuUsage()` of each",
    'process over the window, fact generation included in the workers\' share. "write": one SQLite transaction, lock waits included,',
    "in whichever process writes: the time that process's event loop is held.",
  ].join('\n');
}

async function main(): Promise<void> {
  const o: WorkersOptions = {
    seconds: positive('BENCH_SECONDS', 10),
    warmupSeconds: positive('BENCH_WARMUP_SECONDS', 2),
    rounds: Math.round(positive('BENCH_ROUNDS', 2)),
    log: (line) => console.error(line),
  };
  // Children exit when this process goes (see child-ipc.ts), so ending it is enough.
  boundRun('bench:workers', (o.rounds * WORKER_COUNTS.length * (o.seconds + o.warmupSeconds + 5) + 300) * 1000);

  const backend = await startChild('backend', './backend.js');
  let r: WorkersReport;
  try {
    r = await measureWorkers(backend, o);
  } finally {
    await backend.stop();
  }
  console.log(`\n${r.table}\n\n${r.findings}\n\n${r.windows}\n`);

  const designs: DesignResult[] = [];
  for (const d of DESIGNS) {
    console.error(`bench: ledger design: ${d}`);
    designs.push(await measureDesign(d));
  }
  const design = designTable(designs);
  console.log(`${design}\n`);

  writeSection(
    'Workers',
    [
      r.table,
      r.findings,
      `Each measured window:\n\n${r.windows}`,
      `### How this was measured\n\n${howWorkersMeasured(o)}`,
      `### One ledger, several writers\n\n${design}`,
      howDesignMeasured(),
    ].join('\n\n'),
  );
  console.log(`results written to ${RESULTS_PATH}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
