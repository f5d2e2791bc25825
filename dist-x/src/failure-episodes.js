/**
 * Failures that repeat (every ledger batch while the disk is full, every
 * shadow copy while a service is down) told to the log without flooding
 * it: the first failure of an episode at once, a new cause at once, the
 * same cause again at most once per interval with how many were not told,
 * and the end of the episode once. Pure: the caller passes the time and
 * writes the log line.
 */
export class FailureEpisodes {
    intervalMs;
    open = new Map();
    constructor(intervalMs = 60_000) {
        this.intervalMs = intervalMs;
    }
    failed(key, cause, now) {
        const e = this.open.get(key);
        if (!e) {
            this.open.set(key, { since: now, toldAt: now, cause, failures: 1, untold: 0 });
            return { tell: true, first: true, failures: 1, untold: 0 };
        }
        e.failures++;
        if (cause === e.cause && now - e.toldAt < this.intervalMs) {
            e.untold++;
            return { tell: false };
        }
        const untold = e.untold;
        e.cause = cause;
        e.toldAt = now;
        e.untold = 0;
        return { tell: true, first: false, failures: e.failures, untold };
    }
    /** A success for `key`: the episode, if one was open, ends here and is returned once. */
    succeeded(key, now) {
        const e = this.open.get(key);
        if (!e)
            return null;
        this.open.delete(key);
        return { failures: e.failures, ms: now - e.since };
    }
    isOpen(key) {
        return this.open.has(key);
    }
    /** Whether any episode is open: lets a hot path skip building keys while all is well. */
    get anyOpen() {
        return this.open.size > 0;
    }
}
//# sourceMappingURL=failure-episodes.js.map