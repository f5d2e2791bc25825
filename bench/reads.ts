import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRead, type LedgerRead } from '../src/admin/ledger-reads.js';
import { compileTable } from '../src/rules/compile.js';
import { loadRuleText } from '../src/rules/load.js';
import { openDatabase } from '../src/store/open-database.js';
import { TrafficStore } from '../src/store/traffic.js';
import { boundRun, killPids } from './bounded-run.js';
import { startChild, type Child } from './children.js';
import { positive as envNumber } from './env-number.js';
import { freePort } from './free-port.js';
import { endpointPath, fillLedger, routeName } from './ledger-fill.js';
import { load, steadyRate, type Steady } from './load.js';
import { machineLine } from './machine.js';
import { markdownTable } from './markdown.js';

/**
 * `npm run bench:reads`: what the admin API's window reads cost on a ledger
 * a day of shadowing filled (bench/ledger-fill.ts), and whether clients of
 * the data plane notice a dashboard reading it without pause.
 *
 * 1. Each read, timed in this process on the filled file: what it would
 *    hold up the data plane for if it ran on the data plane's thread.
 * 2. `strangler start` (bin/strangler, as operators run it) on that file,
 *    under a steady client load on a legacy path, in rounds of two windows
 *    side by side: the admin API quiet, then a "dashboard" asking every
 *    read back to back. The client p99 of the two, and their ratio.
 *
 * Writes bench/READS.md. Shape: BENCH_READS_ENDPOINTS (200),
 * BENCH_READS_SHADOWED (5), BENCH_READS_PER_SECOND (12 comparisons a
 * second per shadowed endpoint), BENCH_READS_HOURS (24); windows:
 * BENCH_READS_ROUNDS (3) of BENCH_READS_SECONDS (10).
 */

const READS_PATH = fileURLToPath(new URL('../../bench/READS.md', import.meta.url));
const COMMAND = fileURLToPath(new URL('../../bin/strangler', import.meta.url));
const TOKEN = 'bench-reads-token-0123456789abcdef';
const shape = {
  endpoints: envNumber('BENCH_READS_ENDPOINTS', 200),
  shadowed: envNumber('BENCH_READS_SHADOWED', 5),
  perSecond: envNumber('BENCH_READS_PER_SECOND', 12),
  hours: envNumber('BENCH_READS_HOURS', 24),
};
const ROUNDS = envNumber('BENCH_READS_ROUNDS', 3);
const SECONDS = envNumber('BENCH_READS_SECONDS', 10);
/** About 500 requests/s: a production-like load, far from saturation, so p99 is the proxy's latency, not a queue. */
const STEADY: Steady = { thinkMs: 100, seconds: SECONDS, rounds: ROUNDS };

const children: Child[] = [];
let proxy: ChildProcess | undefined;
const killAll = () => killPids([...children.map((c) => c.pid), ...(proxy?.pid ? [proxy.pid] : [])]);
boundRun('bench:reads', 15 * 60_000, killAll);

const DAY = '24h';
/** What a dashboard reload and the routes page ask: the overview's report and chart, the endpoints, and each route's evidence. */
function dashboardReads(): Array<{ label: string; read: LedgerRead; url: string }> {
  const since = Date.now() - 24 * 3600_000;
  const reads = [
    { label: 'report, 24h', read: { kind: 'report', filter: { sinceMs: since, label: DAY } } as LedgerRead, url: '/api/report?since=24h' },
    { label: 'charts, 24h', read: { kind: 'timeseries', window: { fromMs: since, label: DAY }, stepMinutes: 15 } as LedgerRead, url: '/api/timeseries?since=24h' },
    { label: 'endpoints, 24h', read: { kind: 'endpoints', sinceMs: since } as LedgerRead, url: '/api/endpoints?since=24h' },
    { label: 'progress, 24h', read: { kind: 'progress', window: { sinceMs: since, label: DAY } } as LedgerRead, url: '/api/progress?since=24h' },
  ];
  for (let e = 1; e <= shape.shadowed; e++) {
    reads.push({ label: `evidence, ${routeName(e)}`, read: { kind: 'evidence', route: routeName(e) }, url: `/api/routes/${routeName(e)}/evidence` });
  }
  return reads;
}


function ruleText(legacy: string, listen: number, admin: number): string {
  const routes = Array.from({ length: shape.shadowed }, (_, i) => {
    const e = i + 1;
    return `  - name: ${routeName(e)}\n    match: { path: "${endpointPath(e)}" }\n    mode: shadow\n    service: svc\n`;
  }).join('');
  return `listen: 127.0.0.1:${listen}\nlegacy: ${legacy}\ndatabase: ./ledger.db\nadmin:\n  listen: 127.0.0.1:${admin}\n  token: ${TOKEN}\nservices:\n  svc: ${legacy}\nroutes:\n${routes}`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => x.toFixed(1);

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ok().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`bench:reads: ${what} did not happen within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'strangler-bench-reads-'));
  try {
    const backend = await startChild('backend', './backend.js');
    children.push(backend);
    const [listen, admin] = [await freePort(), await freePort()];
    const file = path.join(dir, 'strangler.yaml');
    const text = ruleText(`http://127.0.0.1:${backend.port}`, listen, admin);
    writeFileSync(file, text);

    // 1. Fill, then time each read here.
    const t0 = performance.now();
    const db = openDatabase(path.join(dir, 'ledger.db'));
    const filled = fillLedger(db, shape, Date.now());
    const fillS = (performance.now() - t0) / 1000;
    console.error(`bench:reads: filled ${filled.minuteRows} minute rows and ${filled.comparisons} comparisons in ${fillS.toFixed(0)} s`);
    const loaded = loadRuleText(text, file);
    if (!loaded.ok) throw new Error('bench:reads: the rule file does not load');
    const scope = { db, traffic: new TrafficStore(db), rules: loaded.rules, table: compileTable(loaded.rules) };
    const timed = dashboardReads().map(({ label, read }) => {
      const times = [0, 1, 2].map(() => {
        const s = performance.now();
        runRead(scope, read, Date.now());
        return performance.now() - s;
      });
      return { label, ms: median(times) };
    });
    db.close();
    for (const t of timed) console.error(`  ${t.label}: ${ms(t.ms)} ms`);

    // 2. The command on that file, under a steady load, quiet admin against a dashboard reading without pause.
    proxy = spawn(COMMAND, ['start', '-c', file], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, STRANGLER_LOG_LEVEL: 'warn' } });
    const adminUrl = `http://127.0.0.1:${admin}`;
    await until('the admin API answering', async () => (await fetch(`${adminUrl}/healthz`)).ok);
    const clientUrl = `http://127.0.0.1:${listen}/api/legacy-only/1`;
    await load(clientUrl, 2, undefined, STEADY);
    const rows: string[][] = [];
    const ratios: number[] = [];
    let readsDone = 0;
    let readsFailed = 0;
    for (let r = 1; r <= ROUNDS; r++) {
      const quiet = await load(clientUrl, SECONDS, undefined, STEADY);
      let reading = true;
      const dashboard = (async () => {
        for (let i = 0; reading; i++) {
          const read = dashboardReads()[i % dashboardReads().length]!;
          const res = await fetch(`${adminUrl}${read.url}`, { headers: { authorization: `Bearer ${TOKEN}` } });
          await res.arrayBuffer();
          if (res.ok) readsDone++;
          else readsFailed++;
        }
      })();
      const busy = await load(clientUrl, SECONDS, undefined, STEADY);
      reading = false;
      await dashboard;
      ratios.push(busy.p99Ms / quiet.p99Ms);
      rows.push([String(r), ms(quiet.p50Ms), ms(quiet.p99Ms), ms(busy.p50Ms), ms(busy.p99Ms), `${(busy.p99Ms / quiet.p99Ms).toFixed(2)}x`, String(quiet.errors + busy.errors + quiet.non2xx + busy.non2xx)]);
      console.error(`  round ${r}: p99 quiet ${ms(quiet.p99Ms)} ms, with the dashboard reading ${ms(busy.p99Ms)} ms`);
    }

    // The read thread's connection holds a snapshot while it reads, and the writer cannot restart the WAL under it.
    const walMb = statSync(path.join(dir, 'ledger.db-wal'), { throwIfNoEntry: false })?.size ?? 0;
    const report = [
      '# Admin reads on a day of shadowing (`npm run bench:reads`)',
      '',
      machineLine(),
      '',
      `The ledger: ${shape.endpoints} endpoints with a minute row each minute for ${shape.hours} h (${filled.minuteRows} rows), ${shape.shadowed} of them shadowed at ${shape.perSecond} comparisons a second (${filled.comparisons} comparison rows); written in ${fillS.toFixed(0)} s.`,
      '',
      '## Each read, timed on its own',
      '',
      'In this process on the same file (median of 3): what each would hold up every request in flight for, were it run on the data plane\'s thread.',
      '',
      markdownTable(['read', 'ms'], timed.map((t) => [t.label, ms(t.ms)])),
      '',
      '## Clients while a dashboard reads',
      '',
      `\`strangler start\` on that file; a steady load of about ${steadyRate(STEADY)} requests/s on a legacy path; per round a ${SECONDS} s window with the admin API quiet, then one while a client asks the reads above one after another without pause (${readsDone} answered, ${readsFailed} failed, over all rounds).`,
      '',
      markdownTable(['round', 'quiet p50 ms', 'quiet p99 ms', 'reading p50 ms', 'reading p99 ms', 'p99 ratio', 'errors + non-2xx'], rows),
      '',
      `Median p99 ratio, reading / quiet: **${median(ratios).toFixed(2)}x**. The WAL file after the rounds: ${(walMb / 1024 / 1024).toFixed(1)} MB.`,
      '',
    ].join('\n');
    writeFileSync(READS_PATH, report);
    console.log(report);
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    killAll();
    process.exit(1);
  },
);
