import type { RouteTable } from '../rules/compile.js';
import type { ExchangeFact } from '../router/proxy-handler.js';
import { redactBody, redactHeaders, redactUrl } from '../shadow/redact.js';
import type { ShadowRecord, ShadowSample } from '../shadow/shadow-record.js';
import { NOT_ATTEMPTED } from '../shadow/shadow-record.js';
import { groupsOf, signatureOf } from '../shadow/signature.js';
import type { CapturedResponse } from '../shadow/types.js';
import { BatchedWriter, type WriterOptions } from '../store/batched-writer.js';
import { withBusyTimeout } from '../store/busy-timeout.js';
import { FailureEpisodes } from '../failure-episodes.js';
import { ComparisonStore, type ComparisonRow, type SampleRow } from '../store/comparisons.js';
import type { TrafficRecord, TrafficStore } from '../store/traffic.js';
import type { Logger } from '../log.js';
import { endpointFor, type Endpoint } from './attribute.js';
import { TemplateLearner } from './template-learner.js';

/** Stored sample bodies stop here. */
const SAMPLE_BODY_BYTES = 64 * 1024;

/** How long a batch waits for a lock another process holds before it fails (and the writer pauses): the event loop waits as long. */
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

/**
 * Exchange facts and shadow comparisons → the ledger. The hot path only
 * queues; attribution to an endpoint template, signatures, redaction of
 * samples and the SQLite write all happen in the writer's batch, one
 * transaction, off the request's path.
 */
export class TrafficLedger {
  readonly writer: BatchedWriter<LedgerRecord>;
  readonly learner: TemplateLearner;
  readonly comparisons: ComparisonStore;

  constructor(
    private readonly store: TrafficStore,
    private readonly table: () => RouteTable,
    logger: Logger,
    opts: WriterOptions = {},
  ) {
    this.learner = new TemplateLearner();
    const database = store.db;
    this.comparisons = new ComparisonStore(database);
    const writeBatch = database.transaction((batch: LedgerRecord[]) => {
      const traffic: TrafficRecord[] = [];
      const compared: ComparisonRow[] = [];
      for (const r of batch) {
        if (isShadow(r)) compared.push(this.comparisonRow(r));
        else traffic.push(this.attribute(r));
      }
      this.store.write(traffic);
      this.comparisons.write(compared);
    });
    // A disk that stays full fails every batch: the log hears of it once per episode, /metrics of every batch.
    const episodes = new FailureEpisodes();
    const file = database.name;
    this.writer = new BatchedWriter<LedgerRecord>(
      (batch) => {
        try {
          withBusyTimeout(database, BATCH_BUSY_MS, () => writeBatch(batch));
        } catch (err) {
          this.comparisons.forgetCaches();
          this.store.forgetCaches();
          throw err;
        }
        const ended = episodes.succeeded('ledger', Date.now());
        if (ended) logger.info({ database: file, failedBatches: ended.failures, ms: ended.ms }, `ledger writes to ${file} resumed after ${ended.failures} failed batches`);
      },
      {
        ...opts,
        onError: (err, lost) => {
          const code = (err as { code?: unknown }).code;
          const t = episodes.failed('ledger', typeof code === 'string' ? code : err.message, Date.now());
          if (t.tell) {
            const { dropped, failedBatches } = this.writer.stats;
            logger.error(
              { database: file, err: err.message, code, lost, failedBatches, dropped },
              `${t.first ? 'ledger writes' : 'ledger writes still'} failing on ${file}: ${err.message}; requests are still served, their records dropped and counted (strangler_ledger_records_dropped); writes will be retried`,
            );
          }
          opts.onError?.(err, lost);
        },
      },
    );
  }

  /** Hot path: queue, never wait. */
  record = (fact: ExchangeFact): void => {
    this.writer.push(fact);
  };

  /** From the shadow dispatcher, off the hot path. */
  recordShadow = (r: ShadowRecord): void => {
    this.writer.push(r);
  };

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

  private attribute(f: ExchangeFact): TrafficRecord {
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

  private comparisonRow(r: ShadowRecord): ComparisonRow {
    const endpoint = this.endpoint(r.route, r.method, r.url);
    const endpointId = this.store.endpointId(endpoint.method, endpoint.path, r.route, 'traffic', r.at);
    const groups = groupsOf(r.differences);
    const sample = r.sample;
    return {
      endpointId,
      at: r.at,
      route: r.route,
      kind: r.kind,
      outcome: r.outcome,
      attempted: !NOT_ATTEMPTED.has(r.outcome),
      legacyStatus: r.legacyStatus,
      otherStatus: r.otherStatus,
      legacyMs: r.legacyMs,
      otherMs: r.otherMs,
      signature: signatureOf(r.differences),
      groups: groups.map((g) => ({ path: g.group, kind: g.kind })),
      exchange: r.exchange,
      sample: sample ? () => sampleRow(sample, r.differences) : null,
    };
  }

  close(): void {
    this.writer.close();
  }
}
