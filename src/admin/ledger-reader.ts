import { existsSync } from 'node:fs';
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
 * with its own read-only connection answers them instead, one at a time.
 *
 * In-thread, as before, where no second connection can see the same data
 * (`database: :memory:`) or no worker script exists (the TypeScript
 * sources run by the tests in process; the built command has it).
 */
export interface LedgerReader {
  read<T>(read: LedgerRead): Promise<T>;
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

const WORKER = fileURLToPath(new URL('./ledger-read-worker.js', import.meta.url));

export interface ReaderOptions {
  /** The ledger's file, as better-sqlite3 names it (`db.name`). */
  file: string;
  inForce: () => { rules: RuleFile; revision: number };
  /** The scope for reads run in this thread. */
  local: () => ReadScope;
  logger: Logger;
}

export function ledgerReader(o: ReaderOptions): LedgerReader {
  if (o.file === ':memory:' || o.file === '' || !existsSync(WORKER)) {
    return { read: async <T>(read: LedgerRead) => runRead(o.local(), read, Date.now()) as T, close: async () => {} };
  }
  return new ThreadReader(o);
}

class ThreadReader implements LedgerReader {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly o: ReaderOptions) {}

  read<T>(read: LedgerRead): Promise<T> {
    const { rules, revision } = this.o.inForce();
    const id = this.nextId++;
    const ask: ReadAsk = { id, read, rules, revision, now: Date.now() };
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.thread().postMessage(ask);
    });
  }

  /** The worker, started on the first read and again after one ended. */
  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER, { workerData: { file: this.o.file } });
    // An idle reader must not keep a stopping process alive.
    worker.unref();
    worker.on('message', (a: ReadAnswer) => {
      const p = this.pending.get(a.id);
      if (!p) return;
      this.pending.delete(a.id);
      if (a.ok) p.resolve(a.value);
      else p.reject(Object.assign(new Error(a.message), { code: a.code }));
    });
    const ended = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      // The reads it held fail (a 5xx for each); the next read starts a new thread.
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => {
      this.o.logger.error({ err: err.message }, 'the ledger read thread failed; the next read starts it again');
      ended(err);
    });
    worker.on('exit', (code) => ended(new Error(`the ledger read thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error('the admin API is closing'));
    this.pending.clear();
    await w?.terminate();
  }
}
