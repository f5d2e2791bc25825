import type { RouteTable } from '../rules/compile.js';
import type { ExchangeFact } from '../router/proxy-handler.js';
import { redactBody, redactHeaders, redactUrl } from '../shadow/redact.js';
import type { ShadowRecord, ShadowSample } from '../shadow/shadow-record.js';
import { NOT_ATTEMPTED } from '../shadow/shadow-record.js';
import { groupsOf, signatureOf } from '../shadow/signature.js';
import type { CapturedResponse, Outcome } from '../shadow/types.js';
import { BatchedWriter, type WriterOptions, type WriterStats } from '../store/batched-writer.js';
import { withBusyTimeout } from '../store/busy-timeout.js';
import { FailureEpisodes } from '../failure-episodes.js';
import { ComparisonStore, type ComparisonRow, type SampleRow } from '../store/comparisons.js';
import { minuteOf, PendingTraffic, type TrafficRecord } from '../store/pending-traffic.js';
import type { TrafficStore } from '../store/traffic.js';
import type { Logger } from '../log.js';
import type { Transaction } from 'better-sqlite3';
import { endpointFor, type Endpoint } from './attribute.js';
import { TemplateLearner } from './template-learner.js';

/** Stored sample bodies stop here. */
const SAMPLE_BODY_BYTES = 64 * 1024;

/** How long a write waits for a lock another process holds before it fails: the event loop waits as long. */
const BATCH_BUSY_MS = 100;

type LedgerRecord = ExchangeFact | ShadowRecord;
const isShadow = (r: LedgerRecord): r is ShadowRecord => 'outcome' in r;

function headerValue(raw: string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) return raw[i + 1];
  return undefined;
}

function pairs(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

function sampleResponse(r: CapturedResponse, redact: string[]) {
  const body = redactBody(r.body, headerValue(r.headers, 'content-type'), redact, SAMPLE_BODY_BYTES, headerValue(r.headers, 'content-encoding'));
  return { status: r.status, headers: pairs(redactHeaders(r.headers, redact)), ...body };
}

/** The redacted, capped form a sample is stored in: secrets never reach the disk. */
export function sampleRow(s: ShadowSample, differences: unknown): SampleRow {
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

export interface LedgerOptions extends WriterOptions {
  /** How often folded rows are written to SQLite, in ms: the most a crash can lose. */
  persistMs?: number;
  /** Folded rows (traffic rows and outcome counters) that trigger a write before persistMs is up. */
  maxPendingRows?: number;
}

const MAX_PENDING_COMPARISONS = 256;
/** How often folded rows are written: the most traffic a crash can take from the ledger. */
export const DEFAULT_PERSIST_MS = 500;

/** A comparison folded but not yet written: its endpoint gets an id in the write's transaction. */
type PendingComparison = Omit<ComparisonRow, 'endpointId'> & { method: string; path: string };

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
  readonly writer: BatchedWriter<LedgerRecord>;
  readonly learner: TemplateLearner;
  readonly comparisons: ComparisonStore;
  private readonly traffic = new PendingTraffic();
  private compared: PendingComparison[] = [];
  private readonly counted = new Map<string, { method: string; path: string; route: string; at: number; minute: number; kind: 'shadow' | 'noise'; outcome: string; n: number }>();
  private pendingRecords = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly persistMs: number;
  private readonly maxPendingRows: number;
  private readonly writeFolded: Transaction<() => void>;
  private readonly totals = { written: 0, lost: 0, failedBatches: 0, batches: 0 };
  private readonly episodes = new FailureEpisodes();
  private readonly file: string;

  constructor(
    private readonly store: TrafficStore,
    private readonly table: () => RouteTable,
    private readonly logger: Logger,
    private readonly opts: LedgerOptions = {},
  ) {
    this.learner = new TemplateLearner();
    this.persistMs = opts.persistMs ?? DEFAULT_PERSIST_MS;
    this.maxPendingRows = opts.maxPendingRows ?? 5_000;
    const database = store.db;
    this.comparisons = new ComparisonStore(database);
    this.writeFolded = database.transaction(() => {
      this.store.writePending(this.traffic);
      const rows: ComparisonRow[] = this.compared.map(({ method, path, ...c }) => ({ ...c, endpointId: this.store.endpointId(method, path, c.route, 'traffic', c.at) }));
      const counted = [...this.counted.values()].map((c) => ({ ...c, endpointId: this.store.endpointId(c.method, c.path, c.route, 'traffic', c.at) }));
      this.comparisons.write(rows, counted);
    });
    this.file = database.name;
    this.writer = new BatchedWriter<LedgerRecord>((batch) => this.fold(batch), {
      ...opts,
      onError: (err, lost) => {
        logger.error({ err: err.message, lost }, 'ledger records could not be folded; they are counted as dropped');
        opts.onError?.(err, lost);
      },
    });
  }

  /** Hot path: queue, never wait. */
  record = (fact: ExchangeFact): void => {
    this.writer.push(fact);
  };

  /** From the shadow dispatcher, off the hot path. */
  recordShadow = (r: ShadowRecord): void => {
    this.writer.push(r);
  };

  /** The writer's counters as the metrics show them: written means in SQLite, queued includes what is folded but not yet written. */
  get stats(): WriterStats {
    const w = this.writer.stats;
    return {
      queued: w.queued + this.pendingRecords,
      written: this.totals.written,
      dropped: w.dropped + this.totals.lost,
      failedBatches: w.failedBatches + this.totals.failedBatches,
      batches: this.totals.batches,
    };
  }

  private fold(batch: LedgerRecord[]): void {
    for (const r of batch) {
      if (isShadow(r)) this.foldShadow(r);
      else this.foldExchange(r);
    }
    this.pendingRecords += batch.length;
    // Comparisons hold both captured bodies until written: a few hundred at most.
    if (this.traffic.rows.size + this.counted.size >= this.maxPendingRows || this.compared.length >= MAX_PENDING_COMPARISONS) this.persist();
    else this.timer ??= setTimeout(() => this.persist(), this.persistMs);
  }

  /**
   * Writes what is folded, in one transaction. A failed write loses exactly
   * what it held, counted; a disk that stays full fails every write, and the
   * log hears of it once per episode (and when writes resume), /metrics of
   * every write.
   */
  private persist(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const n = this.pendingRecords;
    if (n === 0) return;
    try {
      // A lock held elsewhere must not stall the data plane for the connection's full busy timeout. IMMEDIATE: with
      // several processes on one file (workers: N), a transaction that reads before it writes fails at once with
      // SQLITE_BUSY_SNAPSHOT when another committed in between; taking the write lock first waits (busy_timeout) instead.
      withBusyTimeout(this.store.db, BATCH_BUSY_MS, () => this.writeFolded.immediate());
      this.totals.written += n;
      this.totals.batches++;
      const ended = this.episodes.succeeded('ledger', Date.now());
      if (ended) this.logger.info({ database: this.file, failedBatches: ended.failures, ms: ended.ms }, `ledger writes to ${this.file} resumed after ${ended.failures} failed batches`);
    } catch (err) {
      // The rollback took back endpoints and signatures created in it: cached ids and counts may name nothing.
      this.comparisons.forgetCaches();
      this.store.forgetCaches();
      this.totals.failedBatches++;
      this.totals.lost += n;
      const e = err as Error & { code?: unknown };
      const code = typeof e.code === 'string' ? e.code : undefined;
      const t = this.episodes.failed('ledger', code ?? e.message, Date.now());
      if (t.tell) {
        const { dropped, failedBatches } = this.stats;
        this.logger.error(
          { database: this.file, err: e.message, code, lost: n, failedBatches, dropped },
          `${t.first ? 'ledger writes' : 'ledger writes still'} failing on ${this.file}: ${e.message}; requests are still served, their records dropped and counted (strangler_ledger_records_dropped); writes will be retried`,
        );
      }
      try {
        this.opts.onError?.(e, n);
      } catch {
        // A failing error report must not stop the ledger.
      }
    } finally {
      this.traffic.clear();
      this.compared = [];
      this.counted.clear();
      this.pendingRecords = 0;
    }
  }

  /** Everything queued and folded, written now (tests, shutdown, the benchmark's sanity check). */
  flush(): void {
    this.writer.flush();
    this.persist();
  }

  /** Attribution is the writer's main cost; most traffic repeats a few thousand URLs, so remember them. */
  private readonly attributed = new Map<string, Endpoint>();
  private learnerNodes = -1;

  private endpoint(route: string | null, method: string, url: string) {
    const q = url.indexOf('?');
    const key = `${route ?? ''} ${method} ${q === -1 ? url : url.slice(0, q)}`;
    // What the learner knows changed (a new literal, a collapse): earlier answers may be stale.
    if (this.learner.nodeCount !== this.learnerNodes) {
      this.attributed.clear();
      this.learnerNodes = this.learner.nodeCount;
    }
    let hit = this.attributed.get(key);
    if (hit) return hit;
    const compiled = route === null ? undefined : this.table().byName(route);
    hit = endpointFor(method, url, compiled?.template ?? null, this.learner);
    this.learnerNodes = this.learner.nodeCount;
    // Templates can change as the learner collapses a segment; a bounded memory that starts over keeps up with that.
    if (this.attributed.size >= 10_000) this.attributed.clear();
    this.attributed.set(key, hit);
    return hit;
  }

  private foldExchange(f: ExchangeFact): void {
    const endpoint = this.endpoint(f.route, f.method, f.url);
    this.traffic.add(this.attribute(f, endpoint));
    // A copy refused before it left rides on its exchange's fact: counted under the same endpoint, no second lookup.
    if (f.copy !== null && f.route !== null) this.countNotAttempted(endpoint, f.route, f.startedAt, 'shadow', f.copy);
  }

  /** Skipped and dropped copies are counted per endpoint, minute and reason, never stored as rows: under a hung service every request is one. */
  private countNotAttempted(endpoint: Endpoint, route: string, at: number, kind: ShadowRecord['kind'], outcome: Outcome): void {
    const minute = minuteOf(at);
    const key = `${endpoint.method} ${endpoint.path}\u0000${minute}\u0000${kind}\u0000${outcome}`;
    const c = this.counted.get(key);
    if (c) c.n++;
    else this.counted.set(key, { method: endpoint.method, path: endpoint.path, route, at, minute, kind, outcome, n: 1 });
  }

  private attribute(f: ExchangeFact, endpoint: Endpoint): TrafficRecord {
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

  private foldShadow(r: ShadowRecord): void {
    const endpoint = this.endpoint(r.route, r.method, r.url);
    if (NOT_ATTEMPTED.has(r.outcome)) {
      // Copies that were waiting in a lane when it was paused or full.
      this.countNotAttempted(endpoint, r.route, r.at, r.kind, r.outcome);
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

  close(): void {
    this.writer.close();
    this.persist();
  }
}
