/**
 * Response times at 10 µs resolution. autocannon's own histogram keeps
 * whole milliseconds, too coarse for a loopback proxy whose p50 is a few
 * ms; this records what its `response` event reports, in fixed buckets so
 * memory does not grow with the request count.
 */
const BUCKET_MS = 0.01;
const BUCKETS = 200_000; // 2 s; slower responses land in the last bucket
export class LatencyRecorder {
    counts = new Uint32Array(BUCKETS);
    total = 0;
    record(ms) {
        const b = Math.min(BUCKETS - 1, Math.floor(ms / BUCKET_MS));
        this.counts[b]++;
        this.total++;
    }
    /** The upper edge of the bucket holding the q-th quantile, in ms; NaN with no samples. */
    quantile(q) {
        if (this.total === 0)
            return NaN;
        const rank = Math.ceil(q * this.total);
        let seen = 0;
        for (let b = 0; b < BUCKETS; b++) {
            seen += this.counts[b];
            if (seen >= rank)
                return (b + 1) * BUCKET_MS;
        }
        return BUCKETS * BUCKET_MS;
    }
}
//# sourceMappingURL=latency-recorder.js.map