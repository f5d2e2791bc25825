/**
 * The one way hot-path records reach the disk: a bounded queue flushed as
 * one batch every `batchSize` records or `intervalMs`, whichever comes
 * first. `push` never waits and never throws; when the queue is full the
 * record is dropped and counted, because a proxy that waits on its ledger
 * is a proxy that slows production down. After a failed batch the writer
 * waits `retryMs` before it tries again, so a disk that fails (or a lock
 * that makes every write wait) costs one attempt per interval, not one
 * per batch; records queue meanwhile, within the same bound.
 */
/** Records per write, and how long a smaller remainder waits: what one lost batch can hold at a crash. */
export const DEFAULT_BATCH_SIZE = 100;
export const DEFAULT_INTERVAL_MS = 50;
export class BatchedWriter {
    write;
    opts;
    queue = [];
    timer = null;
    immediate = null;
    closed = false;
    /** No write before this time (ms since the epoch): set by a failed batch. */
    retryAt = 0;
    batchSize;
    intervalMs;
    maxQueue;
    retryMs;
    stats = { queued: 0, written: 0, dropped: 0, failedBatches: 0, batches: 0 };
    constructor(write, opts = {}) {
        this.write = write;
        this.opts = opts;
        this.batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
        this.intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS;
        this.maxQueue = opts.maxQueue ?? 20_000;
        this.retryMs = opts.retryMs ?? 1_000;
    }
    /** Queues a record; false when it was dropped. */
    push(record) {
        if (this.closed || this.queue.length >= this.maxQueue) {
            this.stats.dropped++;
            return false;
        }
        this.queue.push(record);
        this.stats.queued = this.queue.length;
        if (this.queue.length >= this.batchSize && this.retryAt === 0) {
            // Never write inside the caller's stack: the request path must not touch the disk.
            this.immediate ??= setImmediate(() => {
                this.immediate = null;
                this.drain(8, true);
            });
        }
        else {
            this.later(this.intervalMs);
        }
        return true;
    }
    /** Writes everything queued now, in batches of `batchSize` (while pausing after a failed batch: nothing, until `retryMs` has passed). */
    flush() {
        this.drain(Infinity);
    }
    /** `fullOnly`: a size trigger writes whole batches and leaves a remainder to the timer, so batches stay full. */
    drain(maxBatches = 8, fullOnly = false) {
        let batches = 0;
        if (this.retryAt !== 0 && Date.now() < this.retryAt) {
            this.later(this.retryAt - Date.now());
            return;
        }
        this.retryAt = 0;
        while (this.queue.length > 0 && batches < maxBatches && (!fullOnly || this.queue.length >= this.batchSize)) {
            const batch = this.queue.splice(0, this.batchSize);
            batches++;
            try {
                this.write(batch);
                this.stats.written += batch.length;
                this.stats.batches++;
            }
            catch (err) {
                this.stats.failedBatches++;
                this.stats.dropped += batch.length;
                try {
                    this.opts.onError?.(err, batch.length);
                }
                catch {
                    // A failing error report must not stop the writer, nor throw out of a timer and end the process.
                }
                this.retryAt = Date.now() + this.retryMs;
                break;
            }
        }
        this.stats.queued = this.queue.length;
        if (this.retryAt !== 0) {
            if (this.queue.length > 0)
                this.later(this.retryMs);
        }
        else if (this.queue.length >= this.batchSize) {
            // Yield to the event loop between bursts, so requests keep flowing under a backlog.
            this.immediate ??= setImmediate(() => {
                this.immediate = null;
                this.drain(8, fullOnly);
            });
        }
        else if (this.queue.length > 0) {
            // A remainder goes out with the timer: at most intervalMs late, never lost.
            this.later(this.intervalMs);
        }
    }
    later(ms) {
        this.timer ??= setTimeout(() => {
            this.timer = null;
            this.drain();
        }, ms);
    }
    /** Flushes what is queued and refuses further records. */
    close() {
        if (this.timer)
            clearTimeout(this.timer);
        if (this.immediate)
            clearImmediate(this.immediate);
        this.timer = null;
        this.immediate = null;
        // One last try even while pausing; what a failing disk still refuses is dropped and counted, not retried for ever.
        this.retryAt = 0;
        this.flush();
        this.stats.dropped += this.queue.length;
        this.queue = [];
        this.stats.queued = 0;
        this.closed = true;
    }
}
//# sourceMappingURL=batched-writer.js.map