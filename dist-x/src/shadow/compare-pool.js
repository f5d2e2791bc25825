import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compareResponses } from './compare.js';
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
    logger;
    worker = null;
    next = 0;
    pending = new Map();
    constructor(logger) {
        this.logger = logger;
        const file = new URL('./compare-worker.js', import.meta.url);
        if (file.protocol === 'file:' && existsSync(fileURLToPath(file)))
            this.start(file);
    }
    start(file) {
        try {
            const worker = new Worker(file);
            worker.unref();
            worker.on('message', (m) => {
                const p = this.pending.get(m.id);
                if (!p)
                    return;
                this.pending.delete(m.id);
                if (m.result)
                    p.resolve(m.result);
                else
                    p.reject(new Error(m.error ?? 'comparison failed'));
            });
            worker.on('error', (err) => {
                this.logger.error({ err: err.message }, 'the comparison thread failed; comparing inline from now on');
                this.failAll(err);
                this.worker = null;
            });
            this.worker = worker;
        }
        catch (err) {
            this.logger.warn({ err: err.message }, 'no comparison thread; comparing inline');
        }
    }
    failAll(err) {
        for (const p of this.pending.values())
            p.reject(err);
        this.pending.clear();
    }
    /** Resolves with the comparison, or null when too many are waiting (the caller counts it as dropped). */
    compare(legacy, other, rules) {
        if (!this.worker || legacy.body.length + other.body.length < INLINE_BYTES) {
            return Promise.resolve(compareResponses(legacy, other, rules));
        }
        if (this.pending.size >= MAX_PENDING)
            return Promise.resolve(null);
        const id = ++this.next;
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve, reject });
            this.worker.postMessage({ id, legacy, other, rules });
        });
    }
    async close() {
        this.failAll(new Error('closing'));
        const w = this.worker;
        this.worker = null;
        await w?.terminate();
    }
}
//# sourceMappingURL=compare-pool.js.map