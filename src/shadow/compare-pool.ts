import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CompareRules } from '../rules/schema.js';
import type { Logger } from '../log.js';
import { compareResponses, type Comparison } from './compare.js';
import type { CapturedResponse } from './types.js';

/**
 * Where comparisons run. Small answers (the common API case) are compared
 * inline: posting them to a thread would cost more than comparing. Large
 * ones go to a worker thread, because parsing and walking a 1 MB JSON pair
 * takes a few hundred milliseconds, which on the main thread would stall
 * every client of the proxy. Without a built worker file (running from
 * TypeScript sources) everything is compared inline.
 */

const INLINE_BYTES = 32 * 1024;
/** Comparisons waiting for the worker; past this a copy is dropped, not queued. */
const MAX_PENDING = 64;

export class ComparePool {
  private worker: Worker | null = null;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (c: Comparison) => void; reject: (e: Error) => void }>();

  constructor(private readonly logger: Logger) {
    const file = new URL('./compare-worker.js', import.meta.url);
    if (file.protocol === 'file:' && existsSync(fileURLToPath(file))) this.start(file);
  }

  private start(file: URL): void {
    try {
      const worker = new Worker(file);
      worker.unref();
      worker.on('message', (m: { id: number; result?: Comparison; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.result) p.resolve(m.result);
        else p.reject(new Error(m.error ?? 'comparison failed'));
      });
      worker.on('error', (err) => {
        this.logger.error({ err: err.message }, 'the comparison thread failed; comparing inline from now on');
        this.failAll(err);
        this.worker = null;
      });
      this.worker = worker;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'no comparison thread; comparing inline');
    }
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  /** Resolves with the comparison, or null when too many are waiting (the caller counts it as dropped). */
  compare(legacy: CapturedResponse, other: CapturedResponse, rules: CompareRules): Promise<Comparison | null> {
    if (!this.worker || legacy.body.length + other.body.length < INLINE_BYTES) {
      return Promise.resolve(compareResponses(legacy, other, rules));
    }
    if (this.pending.size >= MAX_PENDING) return Promise.resolve(null);
    const id = ++this.next;
    return new Promise<Comparison>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, legacy, other, rules });
    });
  }

  async close(): Promise<void> {
    this.failAll(new Error('closing'));
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }
}
