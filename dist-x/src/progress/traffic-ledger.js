import { redactBody, redactHeaders, redactUrl } from '../shadow/redact.js';
import { NOT_ATTEMPTED } from '../shadow/shadow-record.js';
import { groupsOf, signatureOf } from '../shadow/signature.js';
import { BatchedWriter } from '../store/batched-writer.js';
import { withBusyTimeout } from '../store/busy-timeout.js';
import { FailureEpisodes } from '../failure-episodes.js';
import { ComparisonStore } from '../store/comparisons.js';
import { minuteOf, PendingTraffic } from '../store/pending-traffic.js';
import { endpointFor } from './attribute.js';
import { TemplateLearner } from './template-learner.js';
/** Stored sample bodies stop here. */
const SAMPLE_BODY_BYTES = 64 * 1024;
/** How long a write waits for a lock another process holds before it fails: the event loop waits as long. */
const BATCH_BUSY_MS = 100;
const isShadow = (r) => 'outcome' in r;
function headerValue(raw, name) {
    for (let i = 0; i < raw.length; i += 2)
        if (raw[i].toLowerCase() === name)
            return raw[i + 1];
    return undefined;
}
function pairs(raw) {
    const out = [];
    for (let i = 0; i < raw.length; i += 2)
        out.push([raw[i], raw[i + 1]]);
    return out;
}
function sampleResponse(r, redact) {
    const body = redactBody(r.body, headerValue(r.headers, 'content-type'), redact, SAMPLE_BODY_BYTES, headerValue(r.headers, 'content-encoding'));
    return { status: r.status, headers: pairs(redactHeaders(r.headers, redact)), ...body };
}
/** The redacted, capped form a sample is stored in: secrets never reach the disk. */
export function sampleRow(s, differences) {
    const reqBody = s.request.body
        ? redactBody(s.request.body, headerValue(s.request.headers, 'content-type'), s.redact, SAMPLE_BODY_BYTES, headerValue(s.request.headers, 'content-encoding'))
        : null;
    return {
        target: s.target,
        request: { method: s.request.method, url: redactUrl(s.request.url, s.redact), headers: pairs(redactHeaders(s.request.headers, s.redact)), ...(reqBody ?? { body: null, truncated: false, redacted: false }) },
        legacy: sampleResponse(s.legacy, s.redact),
        other: sampleResponse(s.other, s.redact),
        differences,
    };
}
const MAX_PENDING_COMPARISONS = 256;
/** How often folded rows are written: the most traffic a crash can take from the ledger. */
export const DEFAULT_PERSIST_MS = 500;
/**
 * Exchange facts and shadow comparisons → the ledger, in two steps, both
 * off the request's path. The hot path only queues. Every small batch
 * (100 records or 50 ms) is folded in memory: attributed to an endpoint
 * template and added into the per-minute row it will become; copies never
 * attempted (skipped, dropped) only bump a counter. Every `persistMs` the
 * folded rows go to SQLite in one transaction, so the write cost follows
 * the endpoints seen in that time, not the requests.
 */
export class TrafficLedger {
    store;
    table;
    logger;
    opts;
    writer;
    learner;
    comparisons;
    traffic = new PendingTraffic();
    compared = [];
    counted = new Map();
    pendingRecords = 0;
    timer = null;
    persistMs;
    maxPendingRows;
    writeFolded;
    totals = { written: 0, lost: 0, failedBatches: 0, batches: 0 };
    episodes = new FailureEpisodes();
    file;
    constructor(store, table, logger, opts = {}) {
        this.store = store;
        this.table = table;
        this.logger = logger;
        this.opts = opts;
        this.learner = new TemplateLearner();
        this.persistMs = opts.persistMs ?? DEFAULT_PERSIST_MS;
        this.maxPendingRows = opts.maxPendingRows ?? 5_000;
        const database = store.db;
        this.comparisons = new ComparisonStore(database);
        this.writeFolded = database.transaction(() => {
            this.store.writePending(this.traffic);
            const rows = this.compared.map(({ method, path, ...c }) => ({ ...c, endpointId: this.store.endpointId(method, path, c.route, 'traffic', c.at) }));
            const counted = [...this.counted.values()].map((c) => ({ ...c, endpointId: this.store.endpointId(c.method, c.path, c.route, 'traffic', c.at) }));
            this.comparisons.write(rows, counted);
        });
        this.file = database.name;
        this.writer = new BatchedWriter((batch) => this.fold(batch), {
            ...opts,
            onError: (err, lost) => {
                logger.error({ err: err.message, lost }, 'ledger records could not be folded; they are counted as dropped');
                opts.onError?.(err, lost);
            },
        });
    }
    /** Hot path: queue, never wait. */
    record = (fact) => {
        this.writer.push(fact);
    };
    /** From the shadow dispatcher, off the hot path. */
    recordShadow = (r) => {
        this.writer.push(r);
    };
    /** The writer's counters as the metrics show them: written means in SQLite, queued includes what is folded but not yet written. */
    get stats() {
        const w = this.writer.stats;
        return {
            queued: w.queued + this.pendingRecords,
            written: this.totals.written,
            dropped: w.dropped + this.totals.lost,
            failedBatches: w.failedBatches + this.totals.failedBatches,
            batches: this.totals.batches,
        };
    }
    fold(batch) {
        for (const r of batch) {
            if (isShadow(r))
                this.foldShadow(r);
            else
                this.traffic.add(this.attribute(r));
        }
        this.pendingRecords += batch.length;
        // Comparisons hold both captured bodies until written: a few hundred at most.
        if (this.traffic.rows.size + this.counted.size >= this.maxPendingRows || this.compared.length >= MAX_PENDING_COMPARISONS)
            this.persist();
        else
            this.timer ??= setTimeout(() => this.persist(), this.persistMs);
    }
    /**
     * Writes what is folded, in one transaction. A failed write loses exactly
     * what it held, counted; a disk that stays full fails every write, and the
     * log hears of it once per episode (and when writes resume), /metrics of
     * every write.
     */
    persist() {
        if (this.timer)
            clearTimeout(this.timer);
        this.timer = null;
        const n = this.pendingRecords;
        if (n === 0)
            return;
        try {
            // A lock held elsewhere must not stall the data plane for the connection's full busy timeout. IMMEDIATE: with
            // several processes on one file (workers: N), a transaction that reads before it writes fails at once with
            // SQLITE_BUSY_SNAPSHOT when another committed in between; taking the write lock first waits (busy_timeout) instead.
            withBusyTimeout(this.store.db, BATCH_BUSY_MS, () => this.writeFolded.immediate());
            this.totals.written += n;
            this.totals.batches++;
            const ended = this.episodes.succeeded('ledger', Date.now());
            if (ended)
                this.logger.info({ database: this.file, failedBatches: ended.failures, ms: ended.ms }, `ledger writes to ${this.file} resumed after ${ended.failures} failed batches`);
        }
        catch (err) {
            // The rollback took back endpoints and signatures created in it: cached ids and counts may name nothing.
            this.comparisons.forgetCaches();
            this.store.forgetCaches();
            this.totals.failedBatches++;
            this.totals.lost += n;
            const e = err;
            const code = typeof e.code === 'string' ? e.code : undefined;
            const t = this.episodes.failed('ledger', code ?? e.message, Date.now());
            if (t.tell) {
                const { dropped, failedBatches } = this.stats;
                this.logger.error({ database: this.file, err: e.message, code, lost: n, failedBatches, dropped }, `${t.first ? 'ledger writes' : 'ledger writes still'} failing on ${this.file}: ${e.message}; requests are still served, their records dropped and counted (strangler_ledger_records_dropped); writes will be retried`);
            }
            try {
                this.opts.onError?.(e, n);
            }
            catch {
                // A failing error report must not stop the ledger.
            }
        }
        finally {
            this.traffic.clear();
            this.compared = [];
            this.counted.clear();
            this.pendingRecords = 0;
        }
    }
    /** Everything queued and folded, written now (tests, shutdown, the benchmark's sanity check). */
    flush() {
        this.writer.flush();
        this.persist();
    }
    /** Attribution is the writer's main cost; most traffic repeats a few thousand URLs, so remember them. */
    attributed = new Map();
    learnerNodes = -1;
    endpoint(route, method, url) {
        const q = url.indexOf('?');
        const key = `${route ?? ''} ${method} ${q === -1 ? url : url.slice(0, q)}`;
        // What the learner knows changed (a new literal, a collapse): earlier answers may be stale.
        if (this.learner.nodeCount !== this.learnerNodes) {
            this.attributed.clear();
            this.learnerNodes = this.learner.nodeCount;
        }
        let hit = this.attributed.get(key);
        if (hit)
            return hit;
        const compiled = route === null ? undefined : this.table().byName(route);
        hit = endpointFor(method, url, compiled?.template ?? null, this.learner);
        this.learnerNodes = this.learner.nodeCount;
        // Templates can change as the learner collapses a segment; a bounded memory that starts over keeps up with that.
        if (this.attributed.size >= 10_000)
            this.attributed.clear();
        this.attributed.set(key, hit);
        return hit;
    }
    attribute(f) {
        const endpoint = this.endpoint(f.route, f.method, f.url);
        return {
            method: endpoint.method,
            path: endpoint.path,
            route: f.route,
            target: f.target,
            status: f.status,
            fellBack: f.fellBack,
            startedAt: f.startedAt,
            durationMs: f.durationMs,
            bytesIn: f.bytesIn,
            bytesOut: f.bytesOut,
        };
    }
    foldShadow(r) {
        const endpoint = this.endpoint(r.route, r.method, r.url);
        if (NOT_ATTEMPTED.has(r.outcome)) {
            // Skipped and dropped copies are counted, never stored as rows: under a hung service every request is one.
            const minute = minuteOf(r.at);
            const key = `${endpoint.method} ${endpoint.path}\u0000${minute}\u0000${r.kind}\u0000${r.outcome}`;
            const c = this.counted.get(key);
            if (c)
                c.n++;
            else
                this.counted.set(key, { method: endpoint.method, path: endpoint.path, route: r.route, at: r.at, minute, kind: r.kind, outcome: r.outcome, n: 1 });
            return;
        }
        const groups = groupsOf(r.differences);
        const sample = r.sample;
        this.compared.push({
            method: endpoint.method,
            path: endpoint.path,
            at: r.at,
            route: r.route,
            kind: r.kind,
            outcome: r.outcome,
            attempted: true,
            legacyStatus: r.legacyStatus,
            otherStatus: r.otherStatus,
            legacyMs: r.legacyMs,
            otherMs: r.otherMs,
            signature: signatureOf(r.differences),
            groups: groups.map((g) => ({ path: g.group, kind: g.kind })),
            exchange: r.exchange,
            sample: sample ? () => sampleRow(sample, r.differences) : null,
        });
    }
    close() {
        this.writer.close();
        this.persist();
    }
}
//# sourceMappingURL=traffic-ledger.js.map