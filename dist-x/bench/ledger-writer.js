import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/log.js';
import { TrafficLedger } from '../src/progress/traffic-ledger.js';
import { compileTable } from '../src/rules/compile.js';
import { RuleFileSchema } from '../src/rules/schema.js';
import { openDatabase } from '../src/store/open-database.js';
import { TrafficStore } from '../src/store/traffic.js';
import { machineLine } from './machine.js';
import { markdownTable } from './markdown.js';
import { RESULTS_PATH, writeSection } from './results-file.js';
import { ENDPOINTS, ROUTED, SERVICES } from './endpoint-mix.js';
import { factSource } from './fact-source.js';
import { routeAt } from './route-set.js';
import { positive } from './env-number.js';
/**
 * `npm run bench:ledger`: how fast the ledger writer turns exchange facts
 * into rows, and, what matters for the data plane, how long one flush
 * holds the event loop. Facts go through TrafficLedger (attribution to an
 * endpoint, then one SQLite transaction per batch) into a real file in a
 * temp folder, with the writer's defaults as `strangler start` uses them.
 *
 * The traffic: bench/endpoint-mix.ts's 200 endpoints, four targets (legacy
 * and three services, some endpoints split between two), every status
 * class and upstream errors, lognormal latencies.
 */
const FACTS = Math.round(positive('BENCH_LEDGER_FACTS', 200_000));
const PACED_RATE = positive('BENCH_LEDGER_RATE', 10_000);
const PACED_SECONDS = positive('BENCH_LEDGER_PACED_SECONDS', 5);
const WARMUP_FACTS = 20_000;
/** Facts pushed per turn when saturating, and the backlog above which the driver waits: well below the queue bound, so nothing is dropped. */
const CHUNK = 500;
const HIGH_WATER = 4_000;
/** The "not the default" row: a write after every batch, as the ledger did before it folded. */
const EVERY_BATCH_MS = 1;
const rules = RuleFileSchema.parse({
    legacy: 'http://127.0.0.1:9',
    services: Object.fromEntries(SERVICES.map((s) => [s, 'http://127.0.0.1:9'])),
    routes: Array.from({ length: ROUTED }, (_, i) => routeAt(i)),
});
const table = compileTable(rules);
/**
 * Times the ledger's two steps, and groups the calls that share an
 * event-loop turn: the first call of a turn queues a microtask, which runs
 * only when the ledger hands the loop back. Both step functions are
 * private; reaching them here keeps timing code out of the data plane.
 */
function instrument(ledger) {
    const times = { foldMs: [], writeMs: [], turnMs: [] };
    let turnStart = null;
    const timed = (inner, into) => (...a) => {
        const t0 = performance.now();
        if (turnStart === null) {
            turnStart = t0;
            queueMicrotask(() => {
                times.turnMs.push(performance.now() - turnStart);
                turnStart = null;
            });
        }
        try {
            inner(...a);
        }
        finally {
            into.push(performance.now() - t0);
        }
    };
    const writer = ledger.writer;
    writer.write = timed(writer.write, times.foldMs);
    const l = ledger;
    const persist = l.persist.bind(ledger);
    l.persist = timed(() => {
        // A timer with nothing folded writes nothing: not a transaction.
        if (ledger.stats.queued - ledger.writer.stats.queued > 0)
            persist();
        else
            times.writeMs.push(NaN);
    }, times.writeMs);
    return times;
}
/** Counts the rows a transaction upserts: one per (endpoint, minute, target) folded since the last one. */
class CountingStore extends TrafficStore {
    upserts = 0;
    writePending(pending) {
        this.upserts += pending.rows.size;
        super.writePending(pending);
    }
}
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** As fast as the writer takes them: the backlog stays near HIGH_WATER, so every turn drains its 8 batches. */
async function saturate(ledger, n, next) {
    const stats = ledger.writer.stats;
    let pushed = 0;
    while (pushed < n) {
        if (stats.queued < HIGH_WATER) {
            const k = Math.min(CHUNK, n - pushed);
            for (let i = 0; i < k; i++)
                ledger.record(next());
            pushed += k;
        }
        await nextTurn();
    }
    // The tail would wait for the ledger's timers; write it now (the wall clock is what we measure).
    while (stats.queued >= 100)
        await nextTurn();
    ledger.flush();
}
/** At a steady rate, as a proxy serving `rate` requests/s would push them, 1 ms apart. */
async function pace(ledger, rate, seconds, next) {
    const t0 = performance.now();
    let pushed = 0;
    for (;;) {
        const elapsed = (performance.now() - t0) / 1000;
        if (elapsed >= seconds)
            break;
        const due = Math.floor(elapsed * rate);
        for (; pushed < due; pushed++)
            ledger.record(next());
        await sleep(1);
    }
    await sleep(100); // the last partial batch, on the writer's own timer (close writes what is folded)
    return pushed;
}
async function run(name, kind, drive, writer = {}) {
    const dir = mkdtempSync(path.join(tmpdir(), 'strangler-bench-writer-'));
    const db = openDatabase(path.join(dir, 'ledger.db'));
    try {
        const store = new CountingStore(db);
        const ledger = new TrafficLedger(store, () => table, silentLogger, writer);
        const next = factSource(kind, 42);
        const times = instrument(ledger);
        // Warm-up: JIT, the endpoints' first-sight inserts, the minute rows; the measured part is the steady state.
        await saturate(ledger, WARMUP_FACTS, next);
        times.foldMs.length = 0;
        times.writeMs.length = 0;
        times.turnMs.length = 0;
        const before = { ...ledger.stats, upserts: store.upserts };
        const t0 = performance.now();
        const facts = await drive(ledger, next);
        const wallMs = performance.now() - t0;
        ledger.close();
        const one = (sql) => db.prepare(sql).pluck().get() ?? 0;
        return {
            name,
            facts,
            wallMs,
            batches: ledger.stats.batches - before.batches,
            upserts: store.upserts - before.upserts,
            dropped: ledger.stats.dropped - before.dropped,
            times,
            rowRequests: one('SELECT SUM(requests) FROM traffic_minutes'),
            endpoints: one('SELECT COUNT(*) FROM endpoints'),
            minuteRows: one('SELECT COUNT(*) FROM traffic_minutes'),
            expected: WARMUP_FACTS + facts,
        };
    }
    finally {
        db.close();
        rmSync(dir, { recursive: true, force: true });
    }
}
function quantile(xs, q) {
    if (xs.length === 0)
        return NaN;
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const ms = (n) => (Number.isNaN(n) ? '—' : n.toFixed(2));
const scenarios = [];
for (const [name, kind] of [
    ['saturated, Zipf over 200 endpoints', 'zipf'],
    ['saturated, uniform over 200 endpoints', 'uniform'],
]) {
    console.error(`bench: ledger writer, ${name}: ${FACTS.toLocaleString('en-US')} facts`);
    scenarios.push(await run(name, kind, (l, next) => saturate(l, FACTS, next).then(() => FACTS)));
}
// Not the default: a transaction per batch of 100, as the ledger wrote before it folded, to show what folding buys.
const eachName = `saturated, Zipf, written every ${EVERY_BATCH_MS} ms (not the default)`;
console.error(`bench: ledger writer, ${eachName}: ${FACTS.toLocaleString('en-US')} facts`);
scenarios.push(await run(eachName, 'zipf', (l, next) => saturate(l, FACTS, next).then(() => FACTS), { persistMs: EVERY_BATCH_MS, maxPendingRows: 100 }));
const pacedName = `paced, ${PACED_RATE.toLocaleString('en-US')} facts/s, Zipf`;
console.error(`bench: ledger writer, ${pacedName}: ${PACED_SECONDS} s`);
scenarios.push(await run(pacedName, 'zipf', (l, next) => pace(l, PACED_RATE, PACED_SECONDS, next)));
const finite = (xs) => xs.filter((x) => !Number.isNaN(x));
const resultTable = markdownTable(['scenario', 'facts/s', 'transactions/s', 'row upserts/s', 'rows per transaction', 'ledger µs/fact', 'fold µs/fact', 'transaction p50 ms', 'transaction p99 ms', 'transaction max ms', 'turn p99 ms', 'turn max ms', 'loop busy %', 'dropped'], scenarios.map((s) => {
    const foldMs = sum(s.times.foldMs);
    const busyMs = foldMs + sum(finite(s.times.writeMs));
    const tx = finite(s.times.writeMs);
    return [
        s.name,
        ((s.facts / s.wallMs) * 1000).toFixed(0),
        ((s.batches / s.wallMs) * 1000).toFixed(0),
        ((s.upserts / s.wallMs) * 1000).toFixed(0),
        (s.upserts / s.batches).toFixed(1),
        ((busyMs * 1000) / s.facts).toFixed(2),
        ((foldMs * 1000) / s.facts).toFixed(2),
        ms(quantile(tx, 0.5)),
        ms(quantile(tx, 0.99)),
        ms(Math.max(...tx)),
        ms(quantile(s.times.turnMs, 0.99)),
        ms(Math.max(...s.times.turnMs)),
        ((100 * busyMs) / s.wallMs).toFixed(1),
        String(s.dropped),
    ];
}));
const checks = scenarios
    .map((s) => {
    const ok = s.rowRequests === s.expected;
    return `- ${s.name}: ${s.facts.toLocaleString('en-US')} facts measured in ${(s.wallMs / 1000).toFixed(1)} s, ${s.batches.toLocaleString('en-US')} transactions; ${s.endpoints} endpoints and ${s.minuteRows} minute rows in the file; SUM(requests) = ${s.rowRequests.toLocaleString('en-US')} for ${s.expected.toLocaleString('en-US')} facts pushed, warm-up included: **${ok ? 'consistent' : 'MISMATCH'}**`;
})
    .join('\n');
const how = [
    `Measured on ${machineLine()}.`,
    '',
    'bench/ledger-writer.ts, in its own process: `TrafficLedger` with the defaults `strangler start` uses (records folded in',
    'batches of 100, or whatever is queued after 50 ms; folded rows written every 500 ms; queue bound 20,000) over `openDatabase`',
    'on a fresh file in a temp folder (WAL,',
    `synchronous=NORMAL). Traffic: ${ENDPOINTS} endpoints, half claimed by routes of every shape in bench/route-set.ts and half`,
    'unclaimed paths the template learner names; targets legacy and three services, a fifth of the routed endpoints split',
    '80/20 between legacy and a service; 90 % 2xx, 3 % 3xx, 4 % 4xx, 2 % 5xx, 1 % no response; lognormal latency around 8 ms;',
    `fresh ids in every path. ${WARMUP_FACTS.toLocaleString('en-US')} facts of warm-up first (not counted).`,
    '',
    `- saturated: the driver keeps the writer's backlog near ${HIGH_WATER.toLocaleString('en-US')} records, so the writer runs flat out and every turn`,
    '  drains up to its maximum of 8 batches. facts/s and transactions/s are over wall time, the driver\'s own cost included.',
    `  The "written every ${EVERY_BATCH_MS} ms" row writes after every folded batch, as the ledger did before it folded: what folding buys.`,
    `- paced: ${PACED_RATE.toLocaleString('en-US')} facts/s pushed every millisecond for ${PACED_SECONDS} s, about what one proxy process serves in the`,
    '  throughput table: the regime the data plane sees.',
    '- "row upserts/s", "rows per transaction": `traffic_minutes` rows upserted, one per distinct (endpoint, minute, target) folded between writes.',
    '- "ledger µs/fact": time in the fold (endpoint attribution, adding into pending rows) and in the transactions, per fact;',
    '  "fold µs/fact" the first part alone. "turn": one event-loop turn of the ledger, the time requests wait behind it, from',
    '  `performance.now()` around each step and a microtask that closes the turn. "loop busy": both steps\' time over wall time.',
].join('\n');
writeSection('Ledger writer', `${resultTable}\n\n${checks}\n\n### How this was measured\n\n${how}`);
console.log(`\n${resultTable}\n\n${checks}\n\nwritten to ${RESULTS_PATH}`);
//# sourceMappingURL=ledger-writer.js.map