import cluster from 'node:cluster';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../src/log.js';
import { TrafficLedger } from '../src/progress/traffic-ledger.js';
import { compileTable } from '../src/rules/compile.js';
import { RuleFileSchema } from '../src/rules/schema.js';
import { openDatabase } from '../src/store/open-database.js';
import { TrafficStore } from '../src/store/traffic.js';
import { ROUTED, SERVICES } from './endpoint-mix.js';
import { positive } from './env-number.js';
import { factSource } from './fact-source.js';
import { fixed } from './load-report.js';
import { markdownTable } from './markdown.js';
import { routeAt } from './route-set.js';
/**
 * workers: N needs one ledger file written by N data-plane processes. Two
 * ways to do it, measured on the same traffic (bench/fact-source.ts, the
 * 200-endpoint mix) from two worker processes:
 *
 * - **each worker writes**: every worker runs its own TrafficLedger (fold
 *   in memory, one IMMEDIATE transaction per 500 ms) on its own connection
 *   to the WAL file; the transactions take turns on SQLite's write lock;
 * - **one writer in the primary**: workers send their facts over the
 *   cluster's IPC channel, 100 per message, and the primary runs the only
 *   TrafficLedger.
 *
 * Each worker pushes its facts as fast as the design takes them; the
 * clock stops when every fact is in SQLite. CPU is process.cpuUsage() of
 * every process over that window. What the data plane pays is the
 * workers' CPU: in the proxy, that is CPU taken from forwarding.
 */
const FACTS = Math.round(positive('BENCH_LEDGER_DESIGN_FACTS', 100_000));
const WORKERS = 2;
const CHUNK = 500;
const HIGH_WATER = 4_000;
const PER_MESSAGE = 100;
/** Messages a worker may have sent and not had credited back. */
const IN_FLIGHT = 16;
export const DESIGNS = ['each worker writes', 'one writer in the primary, over IPC'];
const rules = RuleFileSchema.parse({
    legacy: 'http://127.0.0.1:9',
    services: Object.fromEntries(SERVICES.map((s) => [s, 'http://127.0.0.1:9'])),
    routes: Array.from({ length: ROUTED }, (_, i) => routeAt(i)),
});
const table = compileTable(rules);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** Times every write of `ledger` (its private persist, the one transaction), skipping timers that find nothing to write. */
function timeWrites(ledger) {
    const l = ledger;
    const persist = l.persist.bind(ledger);
    const ms = [];
    l.persist = () => {
        if (l.pendingRecords === 0)
            return persist();
        const t0 = performance.now();
        persist();
        ms.push(performance.now() - t0);
    };
    return ms;
}
const cpuUs = (since) => {
    const c = process.cpuUsage(since);
    return c.user + c.system;
};
/** One design, in a fresh database, with WORKERS fresh processes. */
export async function measureDesign(design, facts = FACTS) {
    const dir = mkdtempSync(path.join(tmpdir(), 'strangler-bench-design-'));
    const file = path.join(dir, 'ledger.db');
    const db = openDatabase(file);
    const ledger = design === 'one writer in the primary, over IPC' ? new TrafficLedger(new TrafficStore(db), () => table, silentLogger) : null;
    const primaryWrites = ledger ? timeWrites(ledger) : [];
    cluster.setupPrimary({ exec: fileURLToPath(import.meta.url), args: [] });
    const workers = Array.from({ length: WORKERS }, (_, i) => cluster.fork({ BENCH_DESIGN: design, BENCH_DB: file, BENCH_FACTS: String(facts), BENCH_SEED: String(42 + i) }));
    try {
        let ready = 0;
        let done = 0;
        let failedBatches = 0;
        let dropped = 0;
        let workersCpuUs = 0;
        const writeMs = [];
        let t0 = 0;
        let cpu0;
        const finished = new Promise((resolve, reject) => {
            for (const w of workers) {
                w.on('exit', (code) => code !== 0 && reject(new Error(`a ${design} worker exited with code ${code}`)));
                w.on('message', (m) => {
                    if (m.type === 'ready' && ++ready === WORKERS) {
                        t0 = performance.now();
                        cpu0 = process.cpuUsage();
                        for (const x of workers)
                            x.send({ type: 'go' });
                    }
                    else if (m.type === 'facts') {
                        for (const f of m.facts)
                            ledger.record(f);
                        // The credit back once the writer has room: the same backpressure the other design gets from HIGH_WATER.
                        const credit = () => (ledger.writer.stats.queued < HIGH_WATER ? w.send({ type: 'credit' }) : setImmediate(credit));
                        credit();
                    }
                    else if (m.type === 'done') {
                        workersCpuUs += m.cpuUs;
                        failedBatches += m.failedBatches;
                        dropped += m.dropped;
                        writeMs.push(...m.writeMs);
                        if (++done === WORKERS)
                            resolve();
                    }
                });
            }
        });
        await finished;
        ledger?.flush();
        const wallMs = performance.now() - t0;
        const primaryCpuUs = cpuUs(cpu0);
        if (ledger) {
            failedBatches += ledger.stats.failedBatches;
            dropped += ledger.stats.dropped;
        }
        const rowRequests = db.prepare('SELECT SUM(requests) FROM traffic_minutes').pluck().get() ?? 0;
        writeMs.push(...primaryWrites);
        return { design, facts: facts * WORKERS, wallMs, primaryCpuUs, workersCpuUs, failedBatches, dropped, rowRequests, writeMs };
    }
    finally {
        for (const w of workers)
            if (!w.isDead())
                w.process.kill('SIGKILL');
        ledger?.close();
        db.close();
        rmSync(dir, { recursive: true, force: true });
    }
}
/** The worker side: push facts as fast as the design takes them, then say what it cost. */
async function benchWorker() {
    const design = process.env.BENCH_DESIGN;
    const facts = Number(process.env.BENCH_FACTS);
    const next = factSource('zipf', Number(process.env.BENCH_SEED));
    const send = (m) => new Promise((resolve) => process.send(m, undefined, undefined, () => resolve()));
    let ledger = null;
    let db = null;
    if (design === 'each worker writes') {
        db = openDatabase(process.env.BENCH_DB, { migrate: false });
        ledger = new TrafficLedger(new TrafficStore(db), () => table, silentLogger);
    }
    const writeMs = ledger ? timeWrites(ledger) : [];
    await new Promise((resolve) => {
        process.once('message', () => resolve());
        void send({ type: 'ready' });
    });
    const cpu0 = process.cpuUsage();
    if (ledger) {
        const stats = ledger.writer.stats;
        for (let pushed = 0; pushed < facts;) {
            if (stats.queued < HIGH_WATER) {
                const k = Math.min(CHUNK, facts - pushed);
                for (let i = 0; i < k; i++)
                    ledger.record(next());
                pushed += k;
            }
            await nextTurn();
        }
        ledger.flush();
    }
    else {
        // At most IN_FLIGHT messages without a credit back: without it the primary's queue overflows and drops facts.
        let credits = IN_FLIGHT;
        let wake = null;
        process.on('message', () => {
            credits++;
            wake?.();
        });
        for (let sent = 0; sent < facts;) {
            while (credits === 0)
                await new Promise((resolve) => (wake = resolve));
            wake = null;
            const k = Math.min(PER_MESSAGE, facts - sent);
            credits--;
            void send({ type: 'facts', facts: Array.from({ length: k }, next) });
            sent += k;
        }
        while (credits < IN_FLIGHT)
            await new Promise((resolve) => (wake = resolve));
    }
    const stats = ledger?.stats;
    await send({ type: 'done', cpuUs: cpuUs(cpu0), failedBatches: stats?.failedBatches ?? 0, dropped: stats?.dropped ?? 0, writeMs });
    ledger?.close();
    db?.close();
    process.exit(0);
}
function quantile(xs, q) {
    if (xs.length === 0)
        return NaN;
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
export function designTable(results) {
    return markdownTable(['design', 'facts', 'facts/s', 'workers CPU µs/fact', 'primary CPU µs/fact', 'all CPU µs/fact', 'writes', 'write p50 ms', 'write max ms', 'failed batches', 'in SQLite'], results.map((r) => [
        r.design,
        r.facts.toLocaleString('en-US'),
        Math.round((r.facts / r.wallMs) * 1000).toLocaleString('en-US'),
        fixed(r.workersCpuUs / r.facts, 2),
        fixed(r.primaryCpuUs / r.facts, 2),
        fixed((r.workersCpuUs + r.primaryCpuUs) / r.facts, 2),
        String(r.writeMs.length),
        fixed(quantile(r.writeMs, 0.5), 1),
        fixed(Math.max(...r.writeMs), 1),
        String(r.failedBatches),
        r.rowRequests === r.facts ? 'all' : `${r.rowRequests} of ${r.facts}`,
    ]));
}
if (cluster.isWorker)
    await benchWorker();
else if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const results = [];
    for (const d of DESIGNS)
        results.push(await measureDesign(d));
    console.log(designTable(results));
}
//# sourceMappingURL=ledger-design.js.map