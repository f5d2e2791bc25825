import { existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.js';
import type { RuleFile } from '../rules/schema.js';
import { runRead, type LedgerRead, type ReadScope } from './ledger-reads.js';

/**
 * Runs the admin API's window reads (ledger-reads.ts) off the data plane's
 * thread. Summing a day of minute rows takes a few hundred milliseconds
 * on a busy ledger; on the thread that proxies, every request in flight
 * would wait that long each time the dashboard reloads. A worker thread
 * with its own read-only connection answers them instead.
 *
 * The queue is kept here, not in the thread: one read at a time is sent,
 * so a read whose client has gone is dropped before it costs anything, a
 * full queue is refused at once (503, try again), and a read that takes
 * longer than READ_DEADLINE_MS is answered 503 and its thread terminated.
 * A thread inside a SQLite statement stops only when the statement returns,
 * so no new thread starts until the old one has exited (reads meanwhile get
 * 503 at once): two threads never read side by side. After three failed
 * threads in a row, reads get 503 at once for RETRY_MS.
 *
 * In-thread, as before, where no second connection can see the same data
 * (`database: :memory:`) or no worker script exists (the TypeScript
 * sources run by the tests in process; the built command has it).
 */
export interface LedgerReader {
  /** `signal`: the client went away; a read not yet started is dropped. */
  read<T>(read: LedgerRead, signal?: AbortSignal): Promise<T>;
  close(): Promise<void>;
}

export interface ReadAsk {
  id: number;
  read: LedgerRead;
  rules: RuleFile;
  revision: number;
  now: number;
}

export type ReadAnswer = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string; code: string | undefined };

/**
 * Reads waiting at most. The routes page asks one per route at once, and a
 * few dashboards or scripts add up: this is far above that, and bounds
 * what an abusive client can pile up (reads of clients that left are
 * dropped anyway).
 */
export const MAX_QUEUED_READS = 256;
/**
 * A read this slow is stuck (a day of 200 endpoints sums in about a
 * second): the thread is ended and started again. Tests shorten it with
 * STRANGLER_TEST_READ_DEADLINE_MS.
 */
export const READ_DEADLINE_MS = Number(process.env.STRANGLER_TEST_READ_DEADLINE_MS) || 30_000;
/** After FAILS_IN_A_ROW threads failed one after another, this long of 503s before the next try: no restart storm. */
const RETRY_MS = 5_000;
const FAILS_IN_A_ROW = 3;

/** Why a read was not answered: the admin API says 503 with the message (server.ts). */
export class ReadUnavailable extends Error {
  readonly code = 'STRANGLER_READ_UNAVAILABLE';
}

/** A window read for an admin request: dropped unstarted if the client goes away first. */
export function readFor<T>(reads: LedgerReader, res: ServerResponse, read: LedgerRead): Promise<T> {
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  return reads.read<T>(read, gone.signal);
}

const WORKER = fileURLToPath(new URL('./ledger-read-worker.js', import.meta.url));

export interface ReaderOptions {
  /** The ledger's file, as better-sqlite3 names it (`db.name`). */
  file: string;
  inForce: () => { rules: RuleFile; revision: number };
  /** For the in-thread fallback: the main connection and the data plane's own table. */
  local: () => ReadScope;
  logger: Logger;
}

export function ledgerReader(o: ReaderOptions): LedgerReader {
  if (o.file !== ':memory:' && o.file !== '' && existsSync(WORKER)) return new ThreadReader(o);
  // The built command always has the script; without it a packaging step lost a file, and reads stall the data plane again.
  if (o.file !== ':memory:' && import.meta.url.endsWith('.js')) o.logger.warn({ missing: WORKER }, 'ledger reads run on the data plane thread: the read worker is missing');
  return { read: async <T>(read: LedgerRead) => runRead(o.local(), read, Date.now()) as T, close: async () => {} };
}

const clientGone = () => new ReadUnavailable('the client went away');

interface Queued {
  ask: ReadAsk;
  signal: AbortSignal | undefined;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

class ThreadReader implements LedgerReader {
  private worker: Worker | null = null;
  private nextId = 1;
  private closed = false;
  private readonly queue: Queued[] = [];
  private inFlight: (Queued & { timer: NodeJS.Timeout }) | null = null;
  /** A terminated thread that has not exited yet (it may be inside a SQLite statement). */
  private stopping: Worker | null = null;
  private failures = 0;
  private retryAt = 0;

  constructor(private readonly o: ReaderOptions) {}

  read<T>(read: LedgerRead, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new ReadUnavailable('the admin API is closing'));
    // Reads of clients that left count only until the thread gets to them: make room by dropping them first.
    if (this.queue.length >= MAX_QUEUED_READS) this.dropAbandoned();
    if (this.queue.length >= MAX_QUEUED_READS) {
      return Promise.reject(new ReadUnavailable(`${MAX_QUEUED_READS} ledger reads are waiting already; try again in a moment`));
    }
    const { rules, revision } = this.o.inForce();
    const ask: ReadAsk = { id: this.nextId++, read, rules, revision, now: Date.now() };
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ ask, signal, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  private dropAbandoned(): void {
    const kept = this.queue.filter((q) => !q.signal?.aborted);
    for (const q of this.queue) if (q.signal?.aborted) q.reject(clientGone());
    this.queue.splice(0, this.queue.length, ...kept);
  }

  /** Sends the next read whose client is still there, when none is in flight. */
  private pump(): void {
    while (!this.inFlight && this.queue.length > 0) {
      const next = this.queue.shift()!;
      if (next.signal?.aborted) {
        next.reject(clientGone());
        continue;
      }
      const unavailable = this.unavailable();
      if (unavailable) {
        next.reject(new ReadUnavailable(unavailable));
        continue;
      }
      const timer = setTimeout(() => this.stuck(), READ_DEADLINE_MS).unref();
      this.inFlight = { ...next, timer };
      try {
        this.thread().postMessage(next.ask);
      } catch (err) {
        this.settle({ id: next.ask.id, ok: false, message: (err as Error).message, code: undefined });
      }
    }
  }

  private settle(a: ReadAnswer): void {
    this.finish(a.id, (q) => {
      this.failures = 0;
      if (a.ok) q.resolve(a.value);
      else q.reject(Object.assign(new Error(a.message), { code: a.code }));
    });
  }

  private settleUnavailable(id: number, message: string): void {
    this.finish(id, (q) => q.reject(new ReadUnavailable(message)));
  }

  /** Ends the read in flight if it is still `id` (an answer from a thread already ended is not), and sends the next. */
  private finish(id: number, end: (q: Queued) => void): void {
    const f = this.inFlight;
    if (!f || f.ask.id !== id) return;
    clearTimeout(f.timer);
    this.inFlight = null;
    end(f);
    this.pump();
  }

  /** Why no read can be sent now, if none can. */
  private unavailable(): string | null {
    if (this.stopping) return 'the previous ledger read is still being stopped; try again in a moment';
    if (Date.now() < this.retryAt) return `the ledger read thread failed ${FAILS_IN_A_ROW} times in a row; reads resume in a few seconds`;
    return null;
  }

  private stuck(): void {
    const id = this.inFlight?.ask.id;
    const w = this.worker;
    if (id === undefined || !w) return;
    this.o.logger.error({ deadlineMs: READ_DEADLINE_MS, read: this.inFlight!.ask.read.kind }, 'a ledger read took too long; its thread is ended, and started again once it has stopped');
    this.worker = null;
    this.stopping = w;
    w.once('exit', () => {
      this.stopping = null;
      this.pump();
    });
    void w.terminate();
    this.settleUnavailable(id, `the ledger read took longer than ${READ_DEADLINE_MS / 1000} s`);
  }

  /** The worker, started for the first read and again after one ended. */
  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER, { workerData: { file: this.o.file } });
    // An idle reader must not keep a stopping process alive.
    worker.unref();
    worker.on('message', (a: ReadAnswer) => this.settle(a));
    const ended = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (++this.failures >= FAILS_IN_A_ROW) this.retryAt = Date.now() + RETRY_MS;
      const id = this.inFlight?.ask.id;
      if (id !== undefined) this.settleUnavailable(id, why);
    };
    worker.on('error', (err) => {
      this.o.logger.error({ err: err.message }, 'the ledger read thread failed; the next read starts it again');
      ended(`the ledger read thread failed: ${err.message}`);
    });
    worker.on('exit', (code) => ended(`the ledger read thread exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new ReadUnavailable('the admin API is closing'));
    if (this.inFlight) this.settleUnavailable(this.inFlight.ask.id, 'the admin API is closing');
    const w = this.worker ?? this.stopping;
    this.worker = null;
    // A thread inside a long statement stops only when it returns: shutdown does not wait for that.
    if (w) await Promise.race([w.terminate(), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  }
}
